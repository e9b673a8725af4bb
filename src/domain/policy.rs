//! The role matrix of DESIGN.md section 2, as data: what each role may do.

use entity::Role;

/// Something a principal may be allowed to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capability {
    /// Manage users, clients, services and tenant settings.
    ManageDirectory,
    /// Write incidents and everything in a post-mortem; publish; review.
    WriteIncidents,
    /// Delete an incident, with its whole record, while its post-mortem was never published.
    DeleteIncidents,
    /// Publish a post-mortem despite blocking readiness findings, giving a reason.
    OverrideReadiness,
    /// Read all of the tenant's internal data, including internal text and user emails.
    ReadInternal,
    /// Read incidents, clients and services without internal text (reporting drill-down).
    ReadCatalog,
    /// Read follow-through and incident metrics.
    ReadMetrics,
    /// Read the audit log.
    ReadAuditLog,
    /// Send questions, concerns and suggestions about a published post-mortem.
    SubmitFeedback,
    /// Say how confident they are that a published incident will not happen again.
    RateConfidence,
    /// Reply to and close any feedback thread.
    AnswerFeedback,
}

/// Whether `role` has `capability`.
pub fn allows(role: Role, capability: Capability) -> bool {
    use Capability::*;
    match capability {
        ManageDirectory | ReadAuditLog | OverrideReadiness | DeleteIncidents => role == Role::Admin,
        WriteIncidents | AnswerFeedback => matches!(role, Role::Admin | Role::Editor),
        SubmitFeedback | RateConfidence => role == Role::Client,
        ReadInternal => matches!(role, Role::Admin | Role::Editor | Role::Viewer),
        ReadCatalog | ReadMetrics => {
            matches!(
                role,
                Role::Admin | Role::Editor | Role::Viewer | Role::Reporter
            )
        }
    }
}

/// The message of a FORBIDDEN error for `capability`.
pub fn refusal(capability: Capability) -> &'static str {
    use Capability::*;
    match capability {
        ManageDirectory => "only an ADMIN can manage users, clients, services and settings",
        WriteIncidents => "only an ADMIN or EDITOR can change incidents",
        DeleteIncidents => "only an ADMIN can delete an incident",
        OverrideReadiness => "only an ADMIN can publish despite blocking readiness findings",
        ReadInternal => "this field is internal to the provider's staff",
        ReadCatalog => "your role cannot list the tenant's records",
        ReadMetrics => "your role cannot read metrics",
        ReadAuditLog => "only an ADMIN can read the audit log",
        SubmitFeedback => "only a client contact can send feedback",
        RateConfidence => "only a client contact can rate their confidence",
        AnswerFeedback => "only an ADMIN or EDITOR can answer feedback",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Capability::*;

    #[test]
    fn the_matrix_matches_the_design() {
        let roles = [
            Role::Admin,
            Role::Editor,
            Role::Viewer,
            Role::Client,
            Role::Reporter,
        ];
        let expected: [(Capability, [bool; 5]); 11] = [
            (ManageDirectory, [true, false, false, false, false]),
            (WriteIncidents, [true, true, false, false, false]),
            (OverrideReadiness, [true, false, false, false, false]),
            (DeleteIncidents, [true, false, false, false, false]),
            (ReadInternal, [true, true, true, false, false]),
            (ReadCatalog, [true, true, true, false, true]),
            (ReadMetrics, [true, true, true, false, true]),
            (ReadAuditLog, [true, false, false, false, false]),
            (SubmitFeedback, [false, false, false, true, false]),
            (RateConfidence, [false, false, false, true, false]),
            (AnswerFeedback, [true, true, false, false, false]),
        ];
        for (capability, allowed) in expected {
            for (role, allowed) in roles.iter().zip(allowed) {
                assert_eq!(
                    allows(*role, capability),
                    allowed,
                    "{role:?} {capability:?}"
                );
            }
        }
    }
}
