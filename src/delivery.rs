//! Mail delivery: renders the outbox's messages (`services::outbox`) with Askama as plain text
//! and HTML alternatives, and hands them to SMTP (lettre; STARTTLS, TLS or plain, with
//! credentials) or, in development without SMTP settings, writes them as `.eml` files to a
//! folder. A background task delivers due messages as soon as one is queued and on a timer
//! (retries, other instances' mail, what a restart found waiting); no request ever waits on
//! the mail server.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use askama::Template;
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sea_orm::{DatabaseConnection, DbErr};

use crate::config::Settings;
use crate::domain::SiteUrl;
use crate::services::accounts::links;
use crate::services::outbox::{self, Mail};

enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Files(AsyncFileTransport<Tokio1Executor>, PathBuf),
}

/// Renders and sends mail.
pub struct Mailer {
    transport: Transport,
    from: Mailbox,
    site: SiteUrl,
}

#[derive(Template)]
#[template(path = "mail/message.txt")]
struct PlainText<'a> {
    mail: &'a Mail,
    site: &'a SiteUrl,
    /// The page of the mail's link (empty for a mail without one).
    path: &'a str,
}

#[derive(Template)]
#[template(path = "mail/message.html")]
struct Html<'a> {
    mail: &'a Mail,
    site: &'a SiteUrl,
    path: &'a str,
    subject: &'a str,
}

fn subject(mail: &Mail) -> &'static str {
    match mail {
        Mail::Verify { .. } => "Confirm your email address for Marquee",
        Mail::Reset { .. } => "Reset your Marquee password",
        Mail::ConfirmAddress { .. } => "Confirm your new email address for Marquee",
        Mail::AddressChanging { .. } => "Your Marquee email address is being changed",
        Mail::Notification { about, .. } => match about.as_str() {
            "message" => "You have a new message on Marquee",
            "comment_reply" => "A reply to your comment on Marquee",
            "post_comment" => "A comment on your post on Marquee",
            _ => "News from your Marquee watchlist",
        },
        Mail::Digest { .. } => "Your Marquee digest of the day",
    }
}

impl Mailer {
    /// SMTP when `MARQUEE_SMTP_HOST` is set, else `.eml` files in the mail folder.
    pub fn from_settings(settings: &Settings, site: SiteUrl) -> anyhow::Result<Mailer> {
        let from: Mailbox = settings.mail_from.parse().with_context(|| {
            format!(
                "MARQUEE_MAIL_FROM is not an address: {}",
                settings.mail_from
            )
        })?;
        let transport = match settings.smtp_host.as_deref().filter(|h| !h.is_empty()) {
            Some(host) => {
                let mut builder = match settings.smtp_security.as_str() {
                    "tls" => AsyncSmtpTransport::<Tokio1Executor>::relay(host)?,
                    "starttls" => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host)?,
                    _ => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host),
                }
                .timeout(Some(Duration::from_secs(20)));
                if let Some(port) = settings.smtp_port {
                    builder = builder.port(port);
                }
                if let (Some(user), Some(password)) =
                    (&settings.smtp_username, &settings.smtp_password)
                {
                    builder = builder
                        .credentials(Credentials::new(user.clone(), password.expose().to_owned()));
                }
                tracing::info!(
                    host,
                    security = %settings.smtp_security,
                    "mail is sent through SMTP"
                );
                if settings.site_url.is_none() {
                    tracing::warn!(
                        links = %site.as_str(),
                        "MARQUEE_SITE_URL is not set: mailed links point at the address listened on"
                    );
                }
                Transport::Smtp(builder.build())
            }
            None => {
                let dir = settings.mail_folder();
                std::fs::create_dir_all(&dir).with_context(|| {
                    format!("could not create the mail folder {}", dir.display())
                })?;
                tracing::info!(
                    folder = %dir.display(),
                    "no SMTP server set (MARQUEE_SMTP_HOST): mail is written to .eml files"
                );
                Transport::Files(AsyncFileTransport::new(&dir), dir)
            }
        };
        Ok(Mailer {
            transport,
            from,
            site,
        })
    }

    /// The message `mail` to `to` with its link to `path`, as plain text and HTML
    /// alternatives.
    fn compose(&self, to: &str, mail: &Mail, path: &str) -> anyhow::Result<Message> {
        let subject = subject(mail);
        let text = PlainText {
            mail,
            site: &self.site,
            path,
        }
        .render()?;
        let html = Html {
            mail,
            site: &self.site,
            path,
            subject,
        }
        .render()?;
        Ok(Message::builder()
            .from(self.from.clone())
            .to(to.parse::<Mailbox>()?)
            .subject(subject)
            .multipart(MultiPart::alternative_plain_html(text, html))?)
    }

    async fn send(&self, to: &str, mail: &Mail, path: &str) -> anyhow::Result<()> {
        let message = self.compose(to, mail, path)?;
        match &self.transport {
            Transport::Smtp(smtp) => {
                smtp.send(message).await?;
            }
            Transport::Files(files, dir) => {
                let id = files.send(message).await?;
                tracing::info!(file = %dir.join(format!("{id}.eml")).display(), "mail written");
            }
        }
        Ok(())
    }
}

/// Wakes this instance's delivery task: called once a change that queued mail has committed.
#[derive(Clone, Default)]
pub struct Delivery(Arc<tokio::sync::Notify>);

impl Delivery {
    pub fn wake(&self) {
        self.0.notify_one();
    }

    /// Wakes the task only when mail is due: after a change that may or may not have queued
    /// any (a comment notifies by mail only those who chose it), so a change that queued none
    /// starts no delivery round.
    pub async fn wake_if_due(&self, db: &DatabaseConnection) {
        match outbox::due(db, 1).await {
            Ok(due) if due.is_empty() => {}
            Ok(_) => self.wake(),
            Err(error) => tracing::warn!(%error, "could not look for mail to send"),
        }
    }
}

/// Starts the delivery task: at once (what a restart found waiting), whenever `delivery` is
/// woken, and every `poll` (retries, mail queued by other instances, and the daily digests,
/// which then go out on the next round).
pub fn spawn_delivery(
    db: DatabaseConnection,
    mailer: Arc<Mailer>,
    delivery: Delivery,
    poll: Duration,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            if let Err(error) = deliver_due(&db, &mailer).await {
                tracing::warn!(%error, "mail delivery could not read the outbox");
            }
            let timer = tokio::select! {
                _ = delivery.0.notified() => false,
                _ = tokio::time::sleep(poll) => true,
            };
            // The day's digests on the timer only: every instance tries, one sends each.
            if timer {
                let now = chrono::Utc::now();
                match crate::services::notifications::digest::send_digests(&db, now).await {
                    Ok(0) => {}
                    Ok(sent) => tracing::info!(sent, "daily digests queued"),
                    Err(error) => tracing::warn!(%error, "daily digests could not be made"),
                }
            }
        }
    })
}

/// Delivers the messages due now (a batch at a time, until none is left).
async fn deliver_due(db: &DatabaseConnection, mailer: &Mailer) -> Result<(), DbErr> {
    loop {
        let due = outbox::due(db, 20).await?;
        if due.is_empty() {
            return Ok(());
        }
        deliver(db, mailer, due).await?;
    }
}

async fn deliver(
    db: &DatabaseConnection,
    mailer: &Mailer,
    due: Vec<entity::mail_outbox::Model>,
) -> Result<(), DbErr> {
    for row in due {
        if !outbox::claim(db, &row).await? {
            continue; // another instance has it
        }
        let attempt = row.attempts.saturating_add(1);
        let message = match serde_json::from_str::<Mail>(&row.payload) {
            Ok(message) => message,
            Err(error) => {
                let error = format!("unreadable outbox payload: {error}");
                outbox::attempt_failed(db, row.id, outbox::MAX_ATTEMPTS, &error).await?;
                tracing::error!(outbox_id = row.id, %error, "mail given up on");
                continue;
            }
        };
        // The link's secret is made now, never kept in the outbox.
        let path = match message.link() {
            None => message.page().unwrap_or_default(),
            Some(link) => match links::mint(db, link).await? {
                Some(path) => path,
                None => {
                    tracing::info!(
                        outbox_id = row.id,
                        "mail dropped: its link was used or expired"
                    );
                    outbox::delivered(db, row.id).await?;
                    continue;
                }
            },
        };
        let outcome = mailer.send(&row.recipient, &message, &path).await;
        match outcome {
            Ok(()) => outbox::delivered(db, row.id).await?,
            Err(error) => {
                let error = format!("{error:#}");
                if outbox::attempt_failed(db, row.id, attempt, &error).await? {
                    tracing::error!(outbox_id = row.id, attempt, %error, "mail given up on");
                } else {
                    tracing::warn!(outbox_id = row.id, attempt, %error, "mail not delivered; will retry");
                }
            }
        }
    }
    Ok(())
}
