//! Share links: one client's copy of a post-mortem for contacts without accounts.

use crate::domain::share_link as rules;
use crate::domain::time;
use crate::error::AppResult;
use crate::graphql::connection::{ListRef, TotalCount, connection};
use crate::graphql::context::{load_list, scope};
use crate::graphql::directory::client::Client;
use crate::graphql::errors::{UserError, user_errors};
use crate::graphql::ids::{self, NodeType};
use crate::graphql::payload::{Checked, answer, payload};
use crate::graphql::scalars::Timestamp;
use crate::repo::batch::List;
use crate::repo::share_links::IssuedLink;
use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use entity::share_link;
use futures_util::FutureExt;

/// Where share pages are served: the server's public base URL.
#[derive(Debug, Clone)]
pub struct SharePages(pub url::Url);

impl SharePages {
    /// The page a token opens.
    fn url(&self, token: &str) -> String {
        self.0
            .join(&format!("share/{token}"))
            .map_or_else(|_| format!("{}share/{token}", self.0), String::from)
    }
}

/// Where a share link stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "crate::domain::share_link::State")]
pub enum ShareLinkState {
    /// It shows its document while the post-mortem is published.
    Active,
    /// Its date has passed; it shows the "not available" page.
    Expired,
    /// It was withdrawn; it shows the "not available" page.
    Revoked,
}

/// A link that shows one client's copy of a post-mortem to whoever holds it, without an
/// account: the written summary, and the follow-up report once the review is recorded.
/// Staff only; the token itself is shown once, when the link is made.
pub struct ShareLink(pub share_link::Model);

impl From<share_link::Model> for ShareLink {
    fn from(model: share_link::Model) -> Self {
        Self(model)
    }
}

#[Object]
impl ShareLink {
    /// The link's global id.
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::ShareLink, self.0.id)
    }

    /// The client whose copy the link shows.
    async fn client(&self, ctx: &Context<'_>) -> AppResult<Option<Client>> {
        Ok(load_list(ctx, List::Client, self.0.client_id)
            .await?
            .client()?
            .map(Client))
    }

    /// Whether it still shows its document.
    async fn state(&self) -> ShareLinkState {
        rules::state(&self.0, time::now()).into()
    }

    /// When it was made.
    async fn created_at(&self) -> Timestamp {
        Timestamp(self.0.created_at)
    }

    /// When it stops working.
    async fn expires_at(&self) -> Timestamp {
        Timestamp(self.0.expires_at)
    }

    /// When it was withdrawn, if it was.
    async fn revoked_at(&self) -> Option<Timestamp> {
        self.0.revoked_at.map(Timestamp)
    }

    /// How many times its page was shown.
    async fn view_count(&self) -> i64 {
        self.0.view_count
    }

    /// When its page was last shown.
    async fn last_viewed_at(&self) -> Option<Timestamp> {
        self.0.last_viewed_at.map(Timestamp)
    }
}

connection!(
    ShareLinkConnection,
    ShareLinkEdge,
    ShareLink,
    share_link::Model
);

/// The share links of a post-mortem, newest first.
pub async fn share_links_of(
    ctx: &Context<'_>,
    incident_id: uuid::Uuid,
    (first, after, last, before): (Option<i32>, Option<String>, Option<i32>, Option<String>),
) -> AppResult<ShareLinkConnection> {
    let scope = scope(ctx);
    let list = ListRef::new(
        scope.principal().tenant_id(),
        format!("shareLinks:{incident_id}"),
    );
    let page = scope
        .share_links_of(incident_id, &list.page_request(first, after, last, before)?)
        .await?;
    let counter = scope.clone();
    let total = TotalCount::new(move || {
        let scope = counter.clone();
        async move { scope.share_links_count(incident_id).await }.boxed()
    });
    Ok(ShareLinkConnection::new(&list, page, total))
}

/// A new share link.
#[derive(InputObject)]
pub struct PostMortemShareLinkCreateInput {
    /// The post-mortem to share.
    pub post_mortem_id: ID,
    /// The client whose copy to show: one the incident impacted.
    pub client_id: ID,
    /// When the link stops working: in the future, at most 90 days ahead. Omitted: in 30
    /// days.
    pub expires_at: Option<Timestamp>,
}

/// The link to withdraw.
#[derive(InputObject)]
pub struct PostMortemShareLinkRevokeInput {
    /// The share link's global id.
    pub id: ID,
}

/// The result of `postMortemShareLinkCreate`: the link and its URL, shown only here.
#[derive(SimpleObject)]
pub struct PostMortemShareLinkCreatePayload {
    /// The saved link; null when there are user errors.
    pub share_link: Option<ShareLink>,
    /// The page to send the client's contacts. It holds the link's secret token: it is
    /// never shown again, and only its hash is stored.
    pub url: Option<String>,
    /// Why nothing was saved; empty on success.
    pub user_errors: Vec<UserError>,
}

payload!(
    /// The result of `postMortemShareLinkRevoke`.
    PostMortemShareLinkRevokePayload, share_link: ShareLink, share_link::Model
);

/// Mutations on share links.
#[derive(Default)]
pub struct ShareLinkMutation;

#[Object]
impl ShareLinkMutation {
    /// Makes a link that shows `clientId`'s copy of the post-mortem to whoever holds it,
    /// with no account: the summary while the post-mortem is published, and the follow-up
    /// report after the review. ADMIN and EDITOR. Audited; the token never is.
    async fn post_mortem_share_link_create(
        &self,
        ctx: &Context<'_>,
        input: PostMortemShareLinkCreateInput,
    ) -> AppResult<PostMortemShareLinkCreatePayload> {
        let writer = scope(ctx).writer()?;
        let incident_id = ids::decode(&input.post_mortem_id, NodeType::PostMortem)?;
        let client_id = ids::decode(&input.client_id, NodeType::Client)?;
        let outcome = writer
            .share_link_create(incident_id, client_id, input.expires_at.map(|t| t.0))
            .await;
        let pages = ctx.data_unchecked::<SharePages>();
        answer(outcome).map(|checked: Checked<IssuedLink>| match checked {
            Ok(issued) => PostMortemShareLinkCreatePayload {
                url: Some(pages.url(&issued.token)),
                share_link: Some(ShareLink(issued.link)),
                user_errors: vec![],
            },
            Err(errors) => PostMortemShareLinkCreatePayload {
                share_link: None,
                url: None,
                user_errors: user_errors(errors),
            },
        })
    }

    /// Withdraws a share link: from its next view it shows the "not available" page.
    /// ADMIN and EDITOR. Withdrawing it again changes nothing.
    async fn post_mortem_share_link_revoke(
        &self,
        ctx: &Context<'_>,
        input: PostMortemShareLinkRevokeInput,
    ) -> AppResult<PostMortemShareLinkRevokePayload> {
        let writer = scope(ctx).writer()?;
        let id = ids::decode(&input.id, NodeType::ShareLink)?;
        answer(writer.share_link_revoke(id).await)
    }
}
