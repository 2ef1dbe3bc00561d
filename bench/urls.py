#!/usr/bin/env python3
"""Collects the URL pools of bench/run.sh (standard library only; requests go to the local
server only):

- posts.txt: every published generated post (`seed --scale`: every 50th is a draft);
- lists.txt: list pages at every depth, reached through the "Older" links the pages offer:
  /posts to depth 5,000, and tag, category, author and search lists to depth 200 each;
- deep.txt: the /posts page at depth 5,000 (for "no slower than the first");
- movie_lists.txt: movie lists with random filters, facets and sorts;
- movie_pages.txt: every movie page.
"""

import http.client
import random
import re
import urllib.parse
import sys
from pathlib import Path
from urllib.parse import urlsplit

OLDER = re.compile(r'rel="next" href="([^"]+)"')


class Client:
    def __init__(self, base: str):
        parts = urlsplit(base)
        self.conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)

    def get(self, path: str) -> str:
        self.conn.request("GET", path)
        response = self.conn.getresponse()
        body = response.read().decode("utf-8", "replace")
        if response.status != 200:
            raise SystemExit(f"GET {path}: {response.status}")
        return body


def crawl(client: Client, start: str, depth: int) -> list:
    """The list's pages from `start`, following "Older" links up to `depth` pages."""
    pages, path = [start], start
    base = start.split("?")[0]
    while len(pages) < depth:
        match = OLDER.search(client.get(path))
        if not match:
            break
        path = base + match.group(1).replace("&#38;", "&").replace("&amp;", "&")
        pages.append(path)
    return pages


def main() -> int:
    base, out = sys.argv[1], Path(sys.argv[2])
    client = Client(base)
    rng = random.Random(2026)

    posts = [f"/posts/scale-post-{i:07d}" for i in range(100_000) if i % 50 != 49]
    (out / "posts.txt").write_text("\n".join(posts) + "\n")

    all_posts = crawl(client, "/posts", 5000)
    (out / "deep.txt").write_text(all_posts[-1])
    lists = list(all_posts)
    first = client.get("/posts")
    authors = sorted(set(re.findall(r'href="/users/([^"/]+)/posts"', first)))[:3]
    categories = [c for c in sorted(set(re.findall(r'href="/categories/([^"]+)"', client.get("/categories"))))][:3]
    words = [w for w in re.findall(r"\b([a-z]{5,})\b", first) if w not in ("class", "href", "posts", "users", "title")]
    for tag in ("scale-tag-0001", "scale-tag-0007", "scale-tag-0042"):
        lists += crawl(client, f"/tags/{tag}", 200)
    for slug in categories:
        lists += crawl(client, f"/categories/{slug}", 200)
    for name in authors:
        lists += crawl(client, f"/users/{name}/posts", 200)
    for word in sorted(set(words))[:2]:
        lists += crawl(client, f"/posts?q={word}", 200)
    (out / "lists.txt").write_text("\n".join(lists) + "\n")

    ratings = ["G", "PG", "PG-13", "R", "NC-17", "unrated"]
    movie_lists = []
    for _ in range(3000):
        params = [("mpa", r) for r in rng.sample(ratings, rng.randint(0, 3))]
        if rng.random() < 0.5:
            start = rng.randrange(1920, 2020, 10)
            params += [("year_from", str(start)), ("year_to", str(start + rng.choice([9, 19, 39])))]
        if rng.random() < 0.3:
            params.append(("theatre", rng.choice(["yes", "no"])))
        params.append(("sort", rng.choice(["title", "year", "rating", "rating"])))
        params.append(("page", str(rng.randint(1, 3))))
        movie_lists.append("/movies?" + "&".join(f"{k}={v}" for k, v in params))
    (out / "movie_lists.txt").write_text("\n".join(movie_lists) + "\n")

    # Searches as people type them: one or two words of the generated text (some as a phrase,
    # some as a prefix, some misspelt, so "did you mean" runs too), over every kind or one.
    vocabulary = ["cinema", "light", "frame", "story", "query", "index", "scene", "score",
                  "quiet", "bright", "tower", "river", "signal", "memory", "garden", "engine",
                  "winter", "harbour", "letter", "market", "orbit", "paper", "silver", "velvet"]
    searches = []
    for _ in range(3000):
        words = rng.sample(vocabulary, rng.randint(1, 2))
        shape = rng.random()
        if shape < 0.15:
            q = '"' + " ".join(words) + '"'
        elif shape < 0.3:
            q = words[0][:4] + "*"
        elif shape < 0.4:
            w = words[0]
            q = w[:2] + w[3] + w[2] + w[4:]
        else:
            q = " ".join(words)
        kind = rng.choice(["", "", "posts", "movies", "people"])
        page = rng.randint(1, 3) if kind else 1
        searches.append(f"/search?q={urllib.parse.quote_plus(q)}"
                        + (f"&kind={kind}&page={page}" if kind else ""))
    (out / "searches.txt").write_text("\n".join(searches) + "\n")

    total = int(re.search(r'id="result-count">(\d+) movie', client.get("/movies")).group(1))
    (out / "movie_pages.txt").write_text("\n".join(f"/movies/{i}" for i in range(1, total + 1)) + "\n")
    print(f"{len(posts)} posts, {len(lists)} list pages (/posts to depth {len(all_posts)}), "
          f"{len(movie_lists)} movie lists, {total} movies", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
