//! The tenant and its settings.

use crate::domain::policy::Capability;
use crate::domain::settings::{self, SettingsChanges};
use crate::domain::{Checks, FieldError, directory, zone};
use crate::error::AppResult;
use crate::graphql::context::scope;
use crate::graphql::enums::BlamelessPolicy;
use crate::graphql::errors::{UserError, user_errors};
use crate::graphql::ids::{self, NodeType};
use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use entity::tenant;

/// A provider organisation.
pub struct Tenant(pub tenant::Model);

#[Object]
impl Tenant {
    /// The tenant's global id.
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::Tenant, self.0.id)
    }

    /// The organisation's display name.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// Short unique name, e.g. `acme`.
    async fn slug(&self) -> &str {
        &self.0.slug
    }

    /// The tenant's rules. Staff and reporters only.
    async fn settings(&self, ctx: &Context<'_>) -> AppResult<TenantSettings> {
        scope(ctx).principal().require(Capability::ReadCatalog)?;
        Ok(TenantSettings {
            cooling_off_hours: self.0.cooling_off_hours,
            review_after_days: self.0.review_after_days,
            feedback_answer_sla_hours: self.0.feedback_answer_sla_hours,
            post_mortem_due_days: self.0.post_mortem_due_days,
            blameless_policy: self.0.blameless_policy.into(),
            blameless_terms: self.0.readiness_terms.blame.clone(),
            defensive_terms: self.0.readiness_terms.defensive.clone(),
            self_flagellation_terms: self.0.readiness_terms.self_flagellation.clone(),
            time_zone: self.0.time_zone.clone(),
            contact_line: self.0.contact_line.clone(),
            portal_url: self.0.portal_url.clone(),
        })
    }
}

/// Rules the tenant sets for its post-mortems.
#[derive(SimpleObject)]
pub struct TenantSettings {
    /// Hours after resolution before a client meeting should be held.
    pub cooling_off_hours: i32,
    /// Days after publication that the effectiveness review falls due.
    pub review_after_days: i32,
    /// Hours within which client feedback should get a first staff answer.
    pub feedback_answer_sla_hours: i32,
    /// Days after resolution by which a SEV1/SEV2 post-mortem should be published.
    pub post_mortem_due_days: i32,
    /// Whether blame findings warn or block publication.
    pub blameless_policy: BlamelessPolicy,
    /// Blaming phrases the readiness checks flag besides the built-in list
    /// (docs/READINESS.md).
    pub blameless_terms: Vec<String>,
    /// Defensive phrases flagged besides the built-in list.
    pub defensive_terms: Vec<String>,
    /// Self-flagellating phrases flagged besides the built-in list.
    pub self_flagellation_terms: Vec<String>,
    /// The IANA time zone client documents are written in, unless the client has its own.
    pub time_zone: String,
    /// How clients reach you, ending every client document; empty when unset.
    pub contact_line: String,
    /// Where clients read and ask about post-mortems; documents link to it.
    pub portal_url: Option<String>,
}

/// New values for the tenant's settings; omitted fields keep their value.
#[derive(InputObject)]
pub struct TenantSettingsUpdateInput {
    /// 0 to 720.
    pub cooling_off_hours: Option<i32>,
    /// 1 to 365.
    pub review_after_days: Option<i32>,
    /// 1 to 720.
    pub feedback_answer_sla_hours: Option<i32>,
    /// 1 to 90.
    pub post_mortem_due_days: Option<i32>,
    /// Whether blame findings warn or block publication.
    pub blameless_policy: Option<BlamelessPolicy>,
    /// Replaces the tenant's blaming phrases: at most 100, each 1 to 100 characters with at
    /// least one letter or digit; duplicates ignoring case are dropped.
    pub blameless_terms: Option<Vec<String>>,
    /// Replaces the tenant's defensive phrases, on the same terms.
    pub defensive_terms: Option<Vec<String>>,
    /// Replaces the tenant's self-flagellating phrases, on the same terms.
    pub self_flagellation_terms: Option<Vec<String>>,
    /// An IANA time zone name such as `Europe/Berlin`.
    pub time_zone: Option<String>,
    /// One line of at most 500 visible characters; empty removes it.
    pub contact_line: Option<String>,
    /// An absolute http(s) URL of at most 2,000 characters; null removes it.
    pub portal_url: MaybeUndefined<String>,
}

/// The result of `tenantSettingsUpdate`.
#[derive(SimpleObject)]
pub struct TenantSettingsUpdatePayload {
    /// The tenant with its saved settings; null when nothing was saved.
    pub tenant: Option<Tenant>,
    /// Why nothing was saved; empty on success.
    pub user_errors: Vec<UserError>,
}

/// Mutations on the tenant's settings.
#[derive(Default)]
pub struct TenantMutation;

#[Object]
impl TenantMutation {
    /// Changes the tenant's settings. ADMIN only.
    async fn tenant_settings_update(
        &self,
        ctx: &Context<'_>,
        input: TenantSettingsUpdateInput,
    ) -> AppResult<TenantSettingsUpdatePayload> {
        let admin = scope(ctx).admin()?;
        let changes = match SettingsChanges::try_from(input) {
            Ok(changes) => changes,
            Err(errors) => {
                return Ok(TenantSettingsUpdatePayload {
                    tenant: None,
                    user_errors: user_errors(errors),
                });
            }
        };
        let saved = admin.tenant_settings_update(changes).await?;
        Ok(TenantSettingsUpdatePayload {
            tenant: Some(Tenant(saved)),
            user_errors: vec![],
        })
    }
}

impl TryFrom<TenantSettingsUpdateInput> for SettingsChanges {
    type Error = Vec<FieldError>;

    fn try_from(input: TenantSettingsUpdateInput) -> Result<Self, Self::Error> {
        let range = |field: &str, value: Option<i32>, range| {
            value
                .map(|n| directory::setting_in_range(field, n, range))
                .transpose()
        };
        let terms = |field: &str, terms: Option<Vec<String>>| {
            terms
                .map(|t| directory::readiness_terms(field, t))
                .transpose()
        };
        let numbers = (
            range("coolingOffHours", input.cooling_off_hours, 0..=720),
            range("reviewAfterDays", input.review_after_days, 1..=365),
            range(
                "feedbackAnswerSlaHours",
                input.feedback_answer_sla_hours,
                1..=720,
            ),
            range("postMortemDueDays", input.post_mortem_due_days, 1..=90),
        );
        let lists = (
            terms("blamelessTerms", input.blameless_terms),
            terms("defensiveTerms", input.defensive_terms),
            terms("selfFlagellationTerms", input.self_flagellation_terms),
        );
        let presentation = (
            input
                .time_zone
                .map(|z| zone::parse("timeZone", &z))
                .transpose(),
            input
                .contact_line
                .map(|l| settings::contact_line("contactLine", &l))
                .transpose(),
            match input.portal_url {
                MaybeUndefined::Undefined => Ok(None),
                MaybeUndefined::Null => Ok(Some(None)),
                MaybeUndefined::Value(url) => {
                    settings::portal_url("portalUrl", &url).map(|u| Some(Some(u)))
                }
            },
        );
        let (
            (cooling_off_hours, review_after_days, feedback_answer_sla_hours, post_mortem_due_days),
            (blameless_terms, defensive_terms, self_flagellation_terms),
            (time_zone, contact_line, portal_url),
        ) = (numbers.all(), lists.all(), presentation.all()).all()?;
        Ok(SettingsChanges {
            cooling_off_hours,
            review_after_days,
            feedback_answer_sla_hours,
            post_mortem_due_days,
            blameless_policy: input.blameless_policy.map(Into::into),
            blameless_terms,
            defensive_terms,
            self_flagellation_terms,
            time_zone,
            contact_line,
            portal_url,
        })
    }
}
