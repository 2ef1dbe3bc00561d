//! The kinds of notification and the ways one reaches a member.

/// What a notification tells of.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    CommentReply,
    PostComment,
    Message,
    WatchlistReview,
}

impl Kind {
    pub fn all() -> [Kind; 4] {
        [
            Kind::CommentReply,
            Kind::PostComment,
            Kind::Message,
            Kind::WatchlistReview,
        ]
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::CommentReply => "comment_reply",
            Kind::PostComment => "post_comment",
            Kind::Message => "message",
            Kind::WatchlistReview => "watchlist_review",
        }
    }

    pub fn parse(raw: &str) -> Option<Kind> {
        Kind::all().into_iter().find(|k| k.as_str() == raw)
    }

    /// The kind as the settings form names it.
    pub fn label(self) -> &'static str {
        match self {
            Kind::CommentReply => "Replies to your comments",
            Kind::PostComment => "Comments on your posts",
            Kind::Message => "New messages",
            Kind::WatchlistReview => "Reviews of films on your watchlist",
        }
    }

    /// How it reaches a member who chose nothing: a message by mail at once (it is addressed
    /// to them), the rest on the site.
    pub fn default_delivery(self) -> Delivery {
        match self {
            Kind::Message => Delivery::Mail,
            _ => Delivery::Site,
        }
    }

    /// The notification as a sentence: `actor` (none once their account is gone) did it, about
    /// `subject`.
    pub fn sentence(self, actor: Option<&str>, subject: &str) -> String {
        let actor = actor.unwrap_or("A former member");
        match self {
            Kind::CommentReply => format!("{actor} replied to your comment on “{subject}”"),
            Kind::PostComment => format!("{actor} commented on your post “{subject}”"),
            Kind::Message => format!("{actor} wrote to you in “{subject}”"),
            Kind::WatchlistReview => {
                format!("{actor} reviewed “{subject}”, which is on your watchlist")
            }
        }
    }
}

/// How a kind of notification reaches a member.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Delivery {
    /// On the notifications page only.
    Site,
    /// There, and by mail at once.
    Mail,
    /// There, and in a mail once a day with the others chosen so.
    Digest,
}

impl Delivery {
    pub fn all() -> [Delivery; 3] {
        [Delivery::Site, Delivery::Mail, Delivery::Digest]
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Delivery::Site => "site",
            Delivery::Mail => "mail",
            Delivery::Digest => "digest",
        }
    }

    pub fn parse(raw: &str) -> Option<Delivery> {
        Delivery::all()
            .into_iter()
            .find(|d| d.as_str() == raw.trim())
    }

    pub fn label(self) -> &'static str {
        match self {
            Delivery::Site => "On the site",
            Delivery::Mail => "By mail at once",
            Delivery::Digest => "In a daily digest",
        }
    }
}
