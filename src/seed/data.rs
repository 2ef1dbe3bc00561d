//! The demo data set loaded by `marquee seed` (and on first start of an empty database).

pub struct SeedCategory {
    pub slug: &'static str,
    pub name: &'static str,
    pub parent: Option<&'static str>,
}
pub struct SeedPost {
    pub title: &'static str,
    pub category: &'static str,
    pub tags: &'static [&'static str],
    pub body: &'static str,
}
pub struct SeedMovie {
    pub title: &'static str,
    pub year: i32,
    pub mpa: Option<&'static str>,
    pub theatre: bool,
    pub directors: &'static [&'static str],
    pub synopsis: &'static str,
}
pub struct SeedUser {
    pub username: &'static str,
    pub email: &'static str,
    pub role: &'static str,
    pub display_name: &'static str,
    pub country: &'static str,
    pub job: &'static str,
    pub location: &'static str,
    pub bio: &'static str,
    pub groups: &'static [&'static str],
}
pub struct SeedGroup {
    pub name: &'static str,
    pub description: &'static str,
}

/// Category tree, three levels deep; parents are always listed before their children.
pub const CATEGORIES: &[SeedCategory] = &[
    SeedCategory {
        slug: "film",
        name: "Film",
        parent: None,
    },
    SeedCategory {
        slug: "film-history",
        name: "Film history",
        parent: Some("film"),
    },
    SeedCategory {
        slug: "silent-era",
        name: "Silent era",
        parent: Some("film-history"),
    },
    SeedCategory {
        slug: "new-hollywood",
        name: "New Hollywood",
        parent: Some("film-history"),
    },
    SeedCategory {
        slug: "filmmaking",
        name: "Filmmaking",
        parent: Some("film"),
    },
    SeedCategory {
        slug: "books",
        name: "Books",
        parent: None,
    },
    SeedCategory {
        slug: "fiction",
        name: "Fiction",
        parent: Some("books"),
    },
    SeedCategory {
        slug: "science-fiction",
        name: "Science fiction",
        parent: Some("fiction"),
    },
    SeedCategory {
        slug: "technology",
        name: "Technology",
        parent: None,
    },
    SeedCategory {
        slug: "programming",
        name: "Programming",
        parent: Some("technology"),
    },
    SeedCategory {
        slug: "rust",
        name: "Rust",
        parent: Some("programming"),
    },
    SeedCategory {
        slug: "web-development",
        name: "Web development",
        parent: Some("programming"),
    },
    SeedCategory {
        slug: "life",
        name: "Life",
        parent: None,
    },
    SeedCategory {
        slug: "travel",
        name: "Travel",
        parent: Some("life"),
    },
];

pub const TAGS: &[&str] = &[
    "classics",
    "animation",
    "review",
    "essay",
    "reading-list",
    "sci-fi",
    "rust",
    "web",
    "databases",
    "tutorial",
    "travel",
    "music",
    "opinion",
    "beginners",
    "history",
];

pub const GROUPS: &[SeedGroup] = &[
    SeedGroup {
        name: "Film club",
        description: "We pick one film a fortnight, watch it on our own schedule and argue about it on Sunday evening.",
    },
    SeedGroup {
        name: "Book circle",
        description: "A slow-reading group that finishes one book a month and keeps the spoilers behind clearly marked headings.",
    },
    SeedGroup {
        name: "Rustaceans",
        description: "Members who write Rust for work or for fun and like to trade crates, tips and compiler war stories.",
    },
    SeedGroup {
        name: "Night owls",
        description: "For everyone who does their best reading, watching and coding long after midnight.",
    },
];

pub const USERS: &[SeedUser] = &[
    SeedUser {
        username: "admin",
        email: "admin@marquee.test",
        role: "admin",
        display_name: "Site Admin",
        country: "NL",
        job: "Site administrator",
        location: "Utrecht",
        bio: "Keeps the lights on and the backups fresh. Write to me if something looks broken.",
        groups: &[],
    },
    SeedUser {
        username: "mod",
        email: "mod@marquee.test",
        role: "moderator",
        display_name: "Morgan Reyes",
        country: "US",
        job: "Community manager",
        location: "Portland, Oregon",
        bio: "Moderator by day, midnight-movie enthusiast by night. I try to keep threads kind and on topic.",
        groups: &["Film club", "Night owls"],
    },
    SeedUser {
        username: "ada",
        email: "ada@marquee.test",
        role: "author",
        display_name: "Ada Quill",
        country: "GB",
        job: "Technical writer",
        location: "Bristol",
        bio: "I write about software by day and about books and films the rest of the time. Fond of footnotes.",
        groups: &["Book circle", "Rustaceans"],
    },
    SeedUser {
        username: "grace",
        email: "grace@marquee.test",
        role: "reader",
        display_name: "Grace Holloway",
        country: "US",
        job: "Backend engineer",
        location: "Arlington, Virginia",
        bio: "Compilers, crosswords and comfort films. Usually found debugging something at 2 a.m.",
        groups: &["Rustaceans", "Night owls"],
    },
    SeedUser {
        username: "linus",
        email: "linus@marquee.test",
        role: "reader",
        display_name: "Linus Berg",
        country: "FI",
        job: "Systems programmer",
        location: "Helsinki",
        bio: "I like small tools that do one thing well. Also saunas and very long science fiction novels.",
        groups: &["Rustaceans"],
    },
    SeedUser {
        username: "margaret",
        email: "margaret@marquee.test",
        role: "reader",
        display_name: "Margaret Hale",
        country: "CA",
        job: "Archivist",
        location: "Montreal",
        bio: "I spend my working hours with old film reels and my evenings with old musicals.",
        groups: &["Film club", "Book circle"],
    },
    SeedUser {
        username: "alan",
        email: "alan@marquee.test",
        role: "reader",
        display_name: "Alan Turner",
        country: "IE",
        job: "Secondary school teacher",
        location: "Galway",
        bio: "Teaches maths, reads history, watches anything with a good score. Always up for a debate.",
        groups: &["Film club", "Book circle", "Night owls"],
    },
    SeedUser {
        username: "barbara",
        email: "barbara@marquee.test",
        role: "reader",
        display_name: "Barbara Lisko",
        country: "DE",
        job: "Illustrator",
        location: "Leipzig",
        bio: "Freelance illustrator with a soft spot for animation and picture books.",
        groups: &[],
    },
];

pub const POSTS: &[SeedPost] = &[
    SeedPost {
        title: "Why silent comedies still land",
        category: "silent-era",
        tags: &["classics", "history", "essay"],
        body: r#"Put a silent two-reeler in front of a room of ten-year-olds and something surprising happens: they laugh in all the right places. No subtitles to read, no references to catch, just bodies moving through space.

## Physical logic

The best silent gags are built like little machines. A ladder, a swinging door, a car with a loose wheel. Each object is introduced early, so when it finally misbehaves the audience feels they *almost* saw it coming.

## Timing without words

Without dialogue to carry a scene, editors and performers had to let the rhythm do the talking. A pause before a fall is worth more than any punchline. Modern comedies that borrow this patience tend to age better than those built on topical jokes.

If you have never watched one all the way through, start with something under twenty minutes and watch it with company. Laughter is contagious, and these films were made to be seen in a crowd."#,
    },
    SeedPost {
        title: "Buster Keaton and the art of the deadpan",
        category: "silent-era",
        tags: &["classics", "history"],
        body: r#"Keaton's nickname, *The Great Stone Face*, undersells what he was doing. His face was not blank; it was **still**, and stillness in the middle of chaos is a performance choice.

Things worth watching for on a rewatch:

- how often the camera stays wide so you can see that the stunt is real
- the way he reacts a beat *after* the disaster, never during it
- the engineering of the set pieces, many of which were genuinely dangerous

What strikes me most is how modern the framing feels. Keaton trusted the audience to find the joke inside a large, busy frame instead of cutting to close-ups. Plenty of contemporary action directors could learn from that restraint."#,
    },
    SeedPost {
        title: "What the seventies taught Hollywood about risk",
        category: "new-hollywood",
        tags: &["history", "essay", "opinion"],
        body: r#"For roughly a decade, the big studios were so unsure of what audiences wanted that they handed real control to young directors. The results were messy, personal and, quite often, brilliant.

## The gamble

Budgets were modest by later standards, which meant a flop did not sink a studio. That safety net let people make slow, strange, downbeat films that would never survive a modern greenlight meeting.

## The correction

Then a couple of enormous hits showed that a single summer release could earn more than a whole slate of small pictures. Marketing departments noticed. The pendulum swung back toward spectacle and has not fully returned.

I do not think the lesson is that the old way was better. It is that a healthy industry needs *both* kinds of film, and a way for the small ones to find their audience."#,
    },
    SeedPost {
        title: "A beginner's map of New Hollywood",
        category: "new-hollywood",
        tags: &["classics", "beginners", "reading-list"],
        body: r#"People keep asking the film club where to start with the late sixties and seventies, so here is a rough map rather than a ranked list.

1. **Start with a crime picture.** The genre was the era's favourite way to talk about institutions going wrong.
2. **Then try a road movie.** Nothing captures the restlessness of the period better.
3. **Add a paranoid thriller.** Surveillance, conspiracies and men in grey suits everywhere.
4. **Finish with a blockbuster.** See how the era's craft got folded back into mass entertainment.

Watch them in roughly chronological order if you can; the shift in tone from the start of the decade to the end is part of the story. And keep a notebook nearby, because you will want to argue about the endings."#,
    },
    SeedPost {
        title: "Reading a film's lighting: a short primer",
        category: "filmmaking",
        tags: &["tutorial", "beginners"],
        body: r#"You do not need to know anything about lenses to start noticing how a scene is lit. Three questions get you surprisingly far.

## Where is the light coming from?

Look at the shadows under noses and chins. A single hard source from the side reads as tense or secretive; soft light from the front reads as open and calm.

## How much contrast is there?

The gap between the brightest and darkest parts of the frame is called the *contrast ratio*. High ratios feel dramatic, low ratios feel gentle or clinical.

## What colour is it?

Warm light suggests lamps, candles and home. Cool light suggests screens, moonlight and distance. Many films quietly shift from one to the other as the story turns.

Next time you watch something, pause on a random frame and answer all three. It becomes a habit faster than you would think."#,
    },
    SeedPost {
        title: "Sound design you only notice when it is gone",
        category: "filmmaking",
        tags: &["music", "essay"],
        body: r#"Try this experiment: watch five minutes of a favourite scene with the sound off, then again with it on. The picture is identical, but the scene is not.

Most of what we hear in a film was added later. Footsteps, fabric rustles and the hum of a room are recorded separately and layered in with great care. When it is done well, you never think about it. When it is missing, the world feels oddly weightless.

Then there is silence itself. A sudden drop to *nothing* can be more frightening than any score, because the audience leans in and waits. The trick only works, though, if the film has taught you to expect a rich soundscape first.

So here is my small plea: give the sound department a thought the next time the credits roll. They earned it."#,
    },
    SeedPost {
        title: "Our film club's first season, in review",
        category: "film",
        tags: &["review", "classics"],
        body: r#"Twelve films, twenty-odd regulars and one very heated thread about an ambiguous ending. Not bad for a first season.

## What worked

- Picking films that were easy to find, so nobody was left out
- Posting a short set of discussion questions the day before
- Mixing very old films with very recent ones

## What did not

Our two longest picks had the lowest turnout, which surprised nobody. We will schedule the next epic over a holiday weekend.

The highlight, by popular vote, was the classic musical that several people had never seen and now will not stop humming. Thanks to everyone who joined in. Suggestions for next season are open in the **Film club** group."#,
    },
    SeedPost {
        title: "In defence of the intermission",
        category: "film",
        tags: &["opinion"],
        body: r#"Long films are back, and I am delighted. What I am less delighted about is sitting through three hours without a break.

The old roadshow releases had the right idea: an overture, a first half, a short interval, then the second half. It gave the audience a moment to stretch, talk and come back fresh. It also gave the film a natural midpoint, which many long stories already have anyway.

Cinemas would sell more snacks. Viewers would miss fewer crucial scenes. Directors would get an audience that is paying attention in the final act instead of thinking about the bathroom.

*Bring it back*, at least for anything over two and a half hours. I will happily queue for popcorn at the halfway mark."#,
    },
    SeedPost {
        title: "Hand-drawn animation is not a nostalgia act",
        category: "film",
        tags: &["animation", "opinion"],
        body: r#"Every few years someone declares hand-drawn animation dead, and every few years a film comes along that proves them wrong.

What drawings offer is not a retro look; it is **control**. Every line is a decision. Animators can squash a character, break anatomy for a single frame or let the background breathe like watercolour. Those choices read as personality, not as imperfection.

Plenty of recent computer-animated films have learned this lesson too, borrowing painterly textures, held frames and deliberately choppy motion. The boundary between the two techniques is blurrier than ever, and that is a good thing.

So no, I do not think of a hand-drawn feature as a throwback. It is simply one of the tools, and in the right hands still one of the most expressive."#,
    },
    SeedPost {
        title: "How restorations change the films we think we know",
        category: "film-history",
        tags: &["history", "classics"],
        body: r#"A restoration is not a neutral act. Somebody has to decide what the film *should* look like, and the evidence is often incomplete.

## The raw material

Restorers work from whatever survives: original negatives if they are lucky, worn release prints if they are not. Colour may have faded unevenly, and soundtracks may exist only in later mixes.

## The judgement calls

Should the grain be kept or cleaned? Should the colour match the original release or the director's later preference? Should scenes cut by the distributor go back in? Each answer produces a slightly different film.

I find this exciting rather than worrying. It reminds us that films are physical objects with histories, and that the version we grew up with was itself one particular copy."#,
    },
    SeedPost {
        title: "The studio system in five objects",
        category: "film-history",
        tags: &["history", "essay"],
        body: r#"A playful way to understand classic Hollywood is to pick a handful of objects and ask what each one tells you.

1. **The contract.** Actors, writers and directors were employees, often tied to a single studio for years.
2. **The backlot.** Standing sets of streets and town squares were reused again and again.
3. **The publicity photo.** Stars were products, and their images were carefully managed.
4. **The theatre deed.** Studios owned cinemas too, which guaranteed their films a screen.
5. **The rulebook.** A production code set strict limits on what could be shown.

Pull any one of these away and the system starts to wobble, which is more or less what happened in the decades after the war."#,
    },
    SeedPost {
        title: "Ten novels for a long winter",
        category: "fiction",
        tags: &["reading-list"],
        body: r#"The Book circle asked for a list of big, absorbing novels to carry people through the dark months. Rather than name titles and start an argument, here are the *kinds* of book that worked for us.

- A family saga spanning at least three generations
- A sea voyage, ideally with a map in the front
- A mystery set in a snowed-in house
- A novel in letters
- A translated classic you have always meant to read
- A campus novel
- A book set in a city you have never visited
- Something funny, because you will need it by February
- A very short novel, for the week everything goes wrong
- One reread of an old favourite

Post your picks for each slot in the comments and we will build a shared shelf."#,
    },
    SeedPost {
        title: "Short stories deserve more shelf space",
        category: "fiction",
        tags: &["opinion", "essay"],
        body: r#"Bookshops tend to tuck short story collections into a corner, as if they were a warm-up for the real thing. I think that is backwards.

A good short story does in twenty pages what many novels struggle to do in three hundred: it sets up a world, turns it over and leaves you with a single image you cannot shake. It respects your time and trusts your imagination.

They also suit modern life. One story fits a commute, a lunch break or the ten minutes before sleep. You finish *something*, which is a small pleasure on a busy day.

If you are stuck in a reading slump, try a collection. Read one story, put the book down, and let it sit with you for a day before starting the next."#,
    },
    SeedPost {
        title: "Rereading the science fiction of my teens",
        category: "science-fiction",
        tags: &["sci-fi", "essay"],
        body: r#"Last summer I pulled a box of battered paperbacks out of my parents' attic and reread the science fiction that shaped me at fifteen.

## What held up

The ideas, mostly. Big questions about time, identity and what we owe each other still felt sharp. A few of the stranger books were better than I remembered, because I finally understood what they were doing.

## What did not

The people. Too many of the characters existed only to explain the plot, and the futures were oddly unimaginative about anything except machines.

I do not regret the reread. It was like visiting an old school: smaller than I remembered, a little awkward, but full of rooms where something important once happened."#,
    },
    SeedPost {
        title: "Generation ships and the ethics of the long trip",
        category: "science-fiction",
        tags: &["sci-fi", "essay"],
        body: r#"Few science fiction setups are as quietly unsettling as the generation ship: a vessel so slow that the people who arrive are the great-grandchildren of the people who left.

The engineering is the easy part for a writer. The hard part is the moral question underneath. The founders chose the voyage; everyone born aboard did not. What do the travellers owe a mission they never agreed to?

Good stories in this subgenre tend to explore three tensions:

- **memory**, as the reason for the trip fades into legend
- **authority**, as whoever controls the records controls the ship
- **arrival**, and whether anyone still wants it

It is a small, closed world, which makes it a perfect laboratory for thinking about our own inherited obligations."#,
    },
    SeedPost {
        title: "Hard science fiction for people who hate homework",
        category: "science-fiction",
        tags: &["sci-fi", "reading-list", "beginners"],
        body: r#"Hard science fiction has a reputation for equations in the margins. Some of it deserves that reputation. Much of it does not.

What makes a story *hard* is that it takes its constraints seriously: orbits, light delay, the cost of moving mass. The best writers turn those limits into drama. A message that takes hours to arrive is a built-in source of suspense.

A few tips for getting started:

1. Pick a book with a strong central character, not an ensemble.
2. Skim the technical passages the first time; the plot will carry you.
3. Look up one concept you found interesting *after* finishing, not during.

You may find that the science becomes the fun part once it stops feeling like a test."#,
    },
    SeedPost {
        title: "Keeping a reading journal that you will actually keep",
        category: "books",
        tags: &["tutorial", "beginners"],
        body: r#"I have started and abandoned more reading journals than I care to admit. The one that finally stuck is almost embarrassingly simple.

## One line per book

Title, date finished and a single sentence about how it made me feel. That is the whole rule. Anything more is optional.

## A quotes page at the back

When a line stops me, it goes on the last pages, with the book's title next to it. Flipping through those pages a year later is one of my favourite small rituals.

## No ratings

I used to give stars and found myself arguing with my past self. Now I just write *yes*, *no* or *maybe again* in the margin.

The point is to lower the cost of writing something down until it becomes automatic."#,
    },
    SeedPost {
        title: "Book circle notes: unreliable narrators",
        category: "books",
        tags: &["review"],
        body: r#"This month's circle tackled a novel narrated by someone who is, let us say, not telling us everything. Here are the notes from the discussion, spoiler-free.

The group split into two camps almost immediately. One camp enjoyed the puzzle: rereading passages, spotting the gaps, building a theory. The other found it exhausting to distrust every page.

What everyone agreed on was that the technique works best when the narrator is not lying to *us* so much as to *themselves*. Self-deception feels human; a twist engineered purely to surprise the reader feels like a trick.

Next month we are reading something with a refreshingly honest narrator. Details are pinned in the **Book circle** group."#,
    },
    SeedPost {
        title: "A gentle introduction to ownership in Rust",
        category: "rust",
        tags: &["rust", "tutorial", "beginners"],
        body: r#"Ownership is the idea that makes Rust feel different from most languages, and it is simpler than its reputation suggests.

## Three rules

1. Every value has exactly one owner.
2. When the owner goes out of scope, the value is dropped.
3. You can lend a value out, either to many readers (`&T`) or to one writer (`&mut T`), but not both at once.

## A small example

Passing a `String` to a function *moves* it: the caller can no longer use it. Passing `&String` instead *borrows* it, and the caller keeps ownership. If the compiler complains about a moved value, the fix is often just an ampersand.

The rules can feel strict at first, but they replace a whole category of runtime bugs with compile-time messages. For more, the official book at [doc.rust-lang.org](https://doc.rust-lang.org/book/) has an excellent chapter on it."#,
    },
    SeedPost {
        title: "Error handling with the question-mark operator",
        category: "rust",
        tags: &["rust", "tutorial"],
        body: r#"Early Rust code was full of nested `match` blocks on `Result`. The `?` operator cleaned that up dramatically.

When you write `let file = File::open(path)?;` the compiler expands it to: if this is `Ok`, unwrap the value; if it is `Err`, convert the error and return it from the current function right away.

A few things worth knowing:

- `?` only works inside functions that themselves return a `Result` or `Option`.
- Errors are converted with `From`, so a custom error enum with the right `From` impls lets you mix error sources freely.
- In `main`, returning `Result<(), Box<dyn Error>>` lets you use `?` there too.

The result is code that reads like the happy path while still handling every failure *explicitly*."#,
    },
    SeedPost {
        title: "What I learned porting a small CLI to Rust",
        category: "rust",
        tags: &["rust", "opinion"],
        body: r#"I rewrote a little command-line tool from a scripting language into Rust over a few weekends. It is about eight hundred lines now. Some honest observations:

**The first week was slow.** I fought the borrow checker on things I would not have thought twice about before. Most of those fights ended with a cleaner design.

**Startup time disappeared.** The old tool took a noticeable moment to launch. The new one is instant, which matters more than I expected for something I run dozens of times a day.

**Refactoring became fearless.** Renaming a type and following the compiler errors is a genuinely relaxing way to restructure code.

Would I port everything? No. But for small, long-lived tools that I depend on daily, it was *absolutely* worth it."#,
    },
    SeedPost {
        title: "Server-rendered HTML is having a moment",
        category: "web-development",
        tags: &["web", "opinion"],
        body: r#"After a decade of shipping large JavaScript bundles to render text, a lot of teams are rediscovering a simple idea: let the server send HTML.

## Why now

Servers are fast, networks are decent and browsers are extremely good at rendering plain markup. Sprinkling interactivity on top of server-rendered pages covers a surprising share of real applications.

## What you get

- pages that work before any script loads
- fewer moving parts in the build
- easier caching and better accessibility defaults

This site is built that way. Most pages are plain HTML from templates, and a little JavaScript adds comfort where it genuinely helps. It is not the right answer for every product, but it is a *very* good default."#,
    },
    SeedPost {
        title: "Pagination without the pain",
        category: "web-development",
        tags: &["web", "databases", "tutorial"],
        body: r#"The classic approach to paging through a list is `LIMIT` plus `OFFSET`. It is easy to write, and it is fine until your tables get large.

## The problem with offsets

To return page 500, the database still has to walk past every row on the previous 499 pages. Worse, if new rows arrive while someone is paging, items shift and get shown twice or skipped.

## Keyset pagination

Instead of an offset, remember the last item you showed and ask for rows *after* it: `WHERE (created_at, id) < ($1, $2) ORDER BY created_at DESC, id DESC LIMIT 20`. With a matching index this stays fast no matter how deep you go.

The trade-off is that you cannot jump straight to page 500. For feeds and timelines, nobody wants to anyway."#,
    },
    SeedPost {
        title: "Migrations as a habit, not an event",
        category: "programming",
        tags: &["databases", "tutorial"],
        body: r#"Database migrations get scary when they are rare. When they are routine, they become boring, which is exactly what you want.

A few habits that helped our team:

1. **One change per migration.** Small files are easy to review and easy to roll back.
2. **Never edit a migration that has shipped.** Write a new one instead.
3. **Expand, then contract.** Add the new column, deploy code that uses it, and only later remove the old one.
4. **Run them in CI** against a fresh database on every pull request.

None of this is clever. It is just the database equivalent of brushing your teeth: *a little, often*, and never skipped."#,
    },
    SeedPost {
        title: "Naming things: a field guide",
        category: "programming",
        tags: &["essay", "beginners"],
        body: r#"There is an old joke that naming is one of the two hard problems in programming. It is hard because a name is a tiny piece of documentation that has to survive every future change.

## Some rules of thumb

- Name things for what they *mean*, not how they are stored: `unpaid_invoices`, not `list2`.
- Let scope decide length. A loop index can be `i`; a module-level constant cannot.
- Booleans read best as questions: `is_visible`, `has_children`.
- If a name needs a comment to explain it, try a better name first.

## When to rename

Whenever you notice a name lying. Code drifts; names should follow. Modern editors make renaming cheap, so the only real cost is the few seconds of courage it takes to do it."#,
    },
    SeedPost {
        title: "Why we chose PostgreSQL for this site",
        category: "technology",
        tags: &["databases", "web"],
        body: r#"A few members asked what runs underneath Marquee, so here is the short version.

We store everything in **PostgreSQL**. It is mature, well documented and boring in the best possible sense. For a community site, the features that mattered were:

- solid transactions, so a comment and its notification are saved together or not at all
- good full-text search for posts and the film catalogue
- `JSONB` columns for the occasional loosely structured setting
- a tooling ecosystem that makes backups and upgrades routine

Could we have used something lighter? Probably, for a while. But moving databases later is painful, and we would rather spend our time on features. If you are curious about the details, the [PostgreSQL documentation](https://www.postgresql.org/docs/) is one of the best manuals in software."#,
    },
    SeedPost {
        title: "A minimal home-office setup that lasts",
        category: "technology",
        tags: &["opinion", "beginners"],
        body: r#"After years of chasing gadgets, my desk is now down to a handful of things I would buy again without hesitation.

- **A good chair.** Everything else is secondary.
- **One large monitor** at eye level instead of several small ones.
- **A quiet keyboard** that does not annoy anyone on calls.
- **Headphones** with a decent microphone.
- **A lamp** with warm light for the evening.

What I removed matters as much. The second monitor, the desk toy collection and the clever cable gadgets all went. Fewer objects meant fewer distractions and a desk that takes thirty seconds to tidy.

Spend money where your body touches the setup; be frugal everywhere else."#,
    },
    SeedPost {
        title: "Three days in Lisbon on a film lover's budget",
        category: "travel",
        tags: &["travel", "review"],
        body: r#"Lisbon turned out to be a wonderful city for someone who plans holidays around cinemas.

## Day one

Walk the hills in the morning, then spend the evening at a repertory screening. Old cinemas there often show classics with subtitles, and tickets cost less than a coffee and cake back home.

## Day two

Take the tram out toward the riverside and visit a museum or two. The light by the water in late afternoon looks like a cinematographer planned it.

## Day three

Hunt for second-hand bookshops and film posters, then end with a late dinner and a *very* long conversation about whatever you saw the night before.

Bring comfortable shoes. The hills are no joke."#,
    },
    SeedPost {
        title: "Night trains and paperbacks",
        category: "travel",
        tags: &["travel", "reading-list"],
        body: r#"There is no better place to read than a night train. The rocking carriage, the dim light and the total absence of obligations make for a kind of focus I rarely find at home.

A few things I have learned on long overnight routes:

- Pack one book you are sure about and one gamble.
- Paperbacks beat hardbacks; bunk beds are narrow.
- A small clip-on light saves you from the harsh ceiling lamp.
- Leave the laptop in the bag. *Really.*

On my last trip I finished a six-hundred-page novel somewhere between midnight and sunrise, and stepped off the train feeling like I had been on two journeys at once."#,
    },
    SeedPost {
        title: "Making time for slow hobbies",
        category: "life",
        tags: &["essay", "opinion", "music"],
        body: r#"Most of what competes for our attention is designed to be quick: short videos, fast feeds, instant replies. I have been trying to balance that with a few deliberately slow hobbies.

## What counts as slow

Anything where progress is measured in weeks rather than minutes. Learning an instrument, keeping a garden, reading a long novel, watching a director's films in order.

## Why bother

Slow hobbies reward patience in a way that feels increasingly rare. They also give you something to talk about that is not the news. Several friendships on this site started with someone noticing another member working through the same filmography.

My current one is relearning the piano, badly, fifteen minutes a day. It is humbling and **wonderful**."#,
    },
];

pub const COMMENTS: &[&str] = &[
    "Great write-up, the part about taking your time made me rethink how I plan my evenings.",
    "I had never looked at it from this angle before. Thanks for sharing!",
    "Bookmarking this one. I will probably come back to it more than once.",
    "Mostly agree, although I think you are being a little too generous in the middle section.",
    "This is exactly the kind of post that keeps me coming back to this site.",
    "Could you share a few more examples? I would love to dig deeper into this.",
    "Funny, I was discussing almost the same thing with a friend last week.",
    "Clear, short and to the point. More of this, please.",
    "I respectfully disagree with the conclusion, but the argument is well made.",
    "The list at the end is super useful. I am trying the second suggestion tonight.",
    "Thanks, this finally made the idea click for me.",
    "Lovely piece. It reminded me why I started reading and watching so much in the first place.",
    "I would add one thing: context matters a lot here, and it changes with the audience.",
    "Shared this with the group, hope that is okay. We should talk about it at the next meetup.",
    "Has anyone tried this in practice? I am curious how it holds up.",
    "Well put. I have been trying to say something similar for years without finding the words.",
    "Small correction: I think the detail in the second paragraph is slightly off, but it does not change the point.",
    "Reading this at 1 a.m. and nodding along the whole time.",
    "This deserves a follow-up post. Please write one!",
    "Short and sweet. The last paragraph really stuck with me.",
];

pub const MOVIES: &[SeedMovie] = &[
    SeedMovie {
        title: "Singin' in the Rain",
        year: 1952,
        mpa: Some("G"),
        theatre: false,
        directors: &["Stanley Donen", "Gene Kelly"],
        synopsis: "As Hollywood scrambles to adapt to talking pictures, a silent-film star, his wisecracking friend and a young singer try to rescue a troubled production. Their secret weapon is the one thing his co-star lacks: a voice.",
    },
    SeedMovie {
        title: "Vertigo",
        year: 1958,
        mpa: Some("PG"),
        theatre: false,
        directors: &["Alfred Hitchcock"],
        synopsis: "A retired San Francisco detective with a crippling fear of heights is hired to follow an old acquaintance's wife, and slowly becomes obsessed with her.",
    },
    SeedMovie {
        title: "Lawrence of Arabia",
        year: 1962,
        mpa: Some("PG"),
        theatre: false,
        directors: &["David Lean"],
        synopsis: "A restless British officer is sent into the desert during the First World War and ends up leading an Arab revolt, at a growing cost to his sense of who he is.",
    },
    SeedMovie {
        title: "2001: A Space Odyssey",
        year: 1968,
        mpa: Some("G"),
        theatre: false,
        directors: &["Stanley Kubrick"],
        synopsis: "A mysterious black monolith nudges human evolution along, and millions of years later a crewed mission to Jupiter is put at risk by its calmly spoken onboard computer.",
    },
    SeedMovie {
        title: "The Godfather",
        year: 1972,
        mpa: Some("R"),
        theatre: false,
        directors: &["Francis Ford Coppola"],
        synopsis: "The youngest son of a powerful New York crime family wants nothing to do with the business, until an attack on his father draws him in for good.",
    },
    SeedMovie {
        title: "Jaws",
        year: 1975,
        mpa: Some("PG"),
        theatre: false,
        directors: &["Steven Spielberg"],
        synopsis: "When a great white shark starts attacking swimmers off a resort island, the police chief, a marine biologist and a grizzled fisherman head out to sea to stop it.",
    },
    SeedMovie {
        title: "Raiders of the Lost Ark",
        year: 1981,
        mpa: Some("PG"),
        theatre: false,
        directors: &["Steven Spielberg"],
        synopsis: "An archaeologist with a bullwhip races Nazi agents across continents to find a legendary biblical artefact before they can use it.",
    },
    SeedMovie {
        title: "My Neighbor Totoro",
        year: 1988,
        mpa: Some("G"),
        theatre: false,
        directors: &["Hayao Miyazaki"],
        synopsis: "Two young sisters move to the countryside to be near their ailing mother and discover that the forest next door is home to gentle, enormous spirits.",
    },
    SeedMovie {
        title: "Toy Story",
        year: 1995,
        mpa: Some("G"),
        theatre: false,
        directors: &["John Lasseter"],
        synopsis: "A pull-string cowboy doll feels threatened when a flashy space-ranger action figure becomes his owner's new favourite, and the two rivals end up lost together.",
    },
    SeedMovie {
        title: "The Matrix",
        year: 1999,
        mpa: Some("R"),
        theatre: false,
        directors: &["Lana Wachowski", "Lilly Wachowski"],
        synopsis: "A hacker learns that the everyday world is a simulation built by machines, and joins a small band of rebels fighting to free humanity from it.",
    },
    SeedMovie {
        title: "Spirited Away",
        year: 2001,
        mpa: Some("PG"),
        theatre: false,
        directors: &["Hayao Miyazaki"],
        synopsis: "A sullen ten-year-old wanders into a world of spirits, where she must work in a bathhouse run by a witch to save her parents, who have been turned into pigs.",
    },
    SeedMovie {
        title: "No Country for Old Men",
        year: 2007,
        mpa: Some("R"),
        theatre: false,
        directors: &["Joel Coen", "Ethan Coen"],
        synopsis: "A hunter in west Texas stumbles on a suitcase of drug money and is pursued by a relentless killer, while an ageing sheriff tries to make sense of it all.",
    },
    SeedMovie {
        title: "The Dark Knight",
        year: 2008,
        mpa: Some("PG-13"),
        theatre: false,
        directors: &["Christopher Nolan"],
        synopsis: "Batman's campaign against organised crime in Gotham is upended by the Joker, an anarchic criminal who wants to prove that anyone can be pushed into chaos.",
    },
    SeedMovie {
        title: "Inception",
        year: 2010,
        mpa: Some("PG-13"),
        theatre: false,
        directors: &["Christopher Nolan"],
        synopsis: "A thief who steals secrets from inside people's dreams is offered one last job: planting an idea instead, several dream layers deep.",
    },
    SeedMovie {
        title: "Spider-Man: Into the Spider-Verse",
        year: 2018,
        mpa: Some("PG"),
        theatre: false,
        directors: &["Bob Persichetti", "Peter Ramsey", "Rodney Rothman"],
        synopsis: "Brooklyn teenager Miles Morales gains spider powers and teams up with Spider-People from other dimensions to stop a collider that threatens every reality.",
    },
    SeedMovie {
        title: "Parasite",
        year: 2019,
        mpa: Some("R"),
        theatre: false,
        directors: &["Bong Joon Ho"],
        synopsis: "A struggling family cons its way, one member at a time, into working for a wealthy household, until a hidden secret in the house turns the scheme upside down.",
    },
    SeedMovie {
        title: "Everything Everywhere All at Once",
        year: 2022,
        mpa: Some("R"),
        theatre: false,
        directors: &["Daniel Kwan", "Daniel Scheinert"],
        synopsis: "An overwhelmed laundromat owner in the middle of a tax audit discovers she can tap into the lives of her other selves across the multiverse, and must use them to save her family.",
    },
    SeedMovie {
        title: "Oppenheimer",
        year: 2023,
        mpa: Some("R"),
        theatre: true,
        directors: &["Christopher Nolan"],
        synopsis: "The physicist who led the wartime effort to build the atomic bomb wrestles with what he has made, and later faces a hearing that puts his loyalty on trial.",
    },
    SeedMovie {
        title: "Barbie",
        year: 2023,
        mpa: Some("PG-13"),
        theatre: true,
        directors: &["Greta Gerwig"],
        synopsis: "Stereotypical Barbie's perfect life in Barbieland starts to glitch, sending her and an eager Ken on a trip to the real world that changes both of them.",
    },
    SeedMovie {
        title: "Dune: Part Two",
        year: 2024,
        mpa: Some("PG-13"),
        theatre: true,
        directors: &["Denis Villeneuve"],
        synopsis: "Paul Atreides joins the desert Fremen in their war against the house that destroyed his family, while fearing the holy war his rise may unleash.",
    },
];

/// (username, movie title, rating 1-10, body)
pub const REVIEWS: &[(&str, &str, i32, &str)] = &[
    (
        "ada",
        "Spirited Away",
        9,
        "Every frame is full of small, strange details, and it still moves me on the fifth viewing.",
    ),
    (
        "ada",
        "The Matrix",
        8,
        "The philosophy is borrowed, but the action choreography and the sense of style have barely aged.",
    ),
    (
        "grace",
        "Everything Everywhere All at Once",
        10,
        "Chaotic, hilarious and unexpectedly tender; I cried at a scene involving rocks.",
    ),
    (
        "grace",
        "Inception",
        7,
        "A clever puzzle box with great set pieces, though the characters are thinner than the plot.",
    ),
    (
        "linus",
        "2001: A Space Odyssey",
        6,
        "Gorgeous and hugely influential, but my patience ran out somewhere during the long final stretch.",
    ),
    (
        "linus",
        "The Dark Knight",
        8,
        "A crime epic that happens to wear a cape, anchored by a truly unsettling villain.",
    ),
    (
        "margaret",
        "Singin' in the Rain",
        10,
        "Pure joy from start to finish, and a sharp little history lesson about the arrival of sound.",
    ),
    (
        "margaret",
        "Vertigo",
        9,
        "Slow, dreamlike and deeply uncomfortable in the best way; the restoration looks stunning.",
    ),
    (
        "alan",
        "Jaws",
        7,
        "Still tense after all these years, mostly because you barely see the shark.",
    ),
    (
        "alan",
        "Oppenheimer",
        5,
        "Impressive craft and a great cast, but three hours of relentless score wore me down.",
    ),
    (
        "barbara",
        "My Neighbor Totoro",
        9,
        "The gentlest film I know, and the rain scene at the bus stop is perfect animation.",
    ),
    (
        "barbara",
        "Dune: Part Two",
        3,
        "Beautiful to look at, yet I felt nothing for anyone on screen.",
    ),
];

/// Watchlists: (member, film, the day they saw it if they did). The members named in
/// [`PUBLIC_WATCHLISTS`] show theirs to everyone.
pub const WATCHLIST: &[(&str, &str, Option<&str>)] = &[
    ("ada", "Parasite", None),
    ("ada", "Dune: Part Two", None),
    ("ada", "Spirited Away", Some("2024-03-09")),
    ("grace", "Oppenheimer", Some("2023-07-22")),
    ("grace", "Vertigo", None),
    ("linus", "Toy Story", None),
];

pub const PUBLIC_WATCHLISTS: &[&str] = &["ada"];

/// A demo conversation: subject, members (the first started it), and messages by sender.
pub type Conversation = (
    &'static str,
    &'static [&'static str],
    &'static [(&'static str, &'static str)],
);

/// The demo's conversations.
pub const CONVERSATIONS: &[Conversation] = &[
    (
        "Film club on Friday?",
        &["ada", "grace", "linus"],
        &[
            (
                "ada",
                "Shall we watch **Vertigo** on Friday? My place, eight o'clock.",
            ),
            ("grace", "Yes! I will bring popcorn."),
            ("linus", "Count me in — can we do *Parasite* next time?"),
        ],
    ),
    (
        "Your review of Oppenheimer",
        &["grace", "ada"],
        &[
            (
                "grace",
                "I loved your review. Have you read the book it is based on?",
            ),
            ("ada", "Not yet: is it worth it?"),
        ],
    ),
];
