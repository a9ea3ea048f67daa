//! What the audit log records: one named action per kind of change, each about one kind
//! of record. Typed, so a change cannot be logged under a misspelt name, and the stored
//! words stay exactly what earlier entries used.

/// The kind of record an audit entry is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditRecord {
    ApiToken,
    Application,
    Award,
    ContactEntry,
    Enabler,
    Engagement,
    Invitation,
    NewsItem,
    Organisation,
    Place,
    Programme,
    RoleRequest,
    Round,
    User,
}

impl AuditRecord {
    /// The word stored in `audit_log.record_type`.
    pub fn key(self) -> &'static str {
        match self {
            AuditRecord::ApiToken => "api_token",
            AuditRecord::Application => "application",
            AuditRecord::Award => "award",
            AuditRecord::ContactEntry => "contact_entry",
            AuditRecord::Enabler => "enabler",
            AuditRecord::Engagement => "engagement",
            AuditRecord::Invitation => "invitation",
            AuditRecord::NewsItem => "news_item",
            AuditRecord::Organisation => "organisation",
            AuditRecord::Place => "place",
            AuditRecord::Programme => "programme",
            AuditRecord::RoleRequest => "role_request",
            AuditRecord::Round => "round",
            AuditRecord::User => "user",
        }
    }
}

/// Declares the actions with their stored word and record kind, once.
macro_rules! audit_actions {
    ($($variant:ident => $key:literal, $record:ident;)+) => {
        /// A change the audit log records.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum AuditAction {
            $($variant,)+
        }

        impl AuditAction {
            /// Every action, for tests and reports.
            pub const ALL: &'static [AuditAction] = &[$(AuditAction::$variant,)+];

            /// The word stored in `audit_log.action`.
            pub fn key(self) -> &'static str {
                match self {
                    $(AuditAction::$variant => $key,)+
                }
            }

            /// The kind of record the action is about.
            pub fn record(self) -> AuditRecord {
                match self {
                    $(AuditAction::$variant => AuditRecord::$record,)+
                }
            }
        }
    };
}

audit_actions! {
    // Accounts
    Registered => "registered", User;
    RegistrationForUsedEmail => "registration_for_used_email", User;
    EmailVerified => "email_verified", User;
    EmailChangeRequested => "email_change_requested", User;
    ProfileChanged => "profile_changed", User;
    PasswordChanged => "password_changed", User;
    PasswordReset => "password_reset", User;
    SignedIn => "signed_in", User;
    SignedOutEverywhere => "signed_out_everywhere", User;
    TwoFactorEnabled => "two_factor_enabled", User;
    TwoFactorDisabled => "two_factor_disabled", User;
    RecoveryCodesReplaced => "recovery_codes_replaced", User;
    RecoveryCodeUsed => "recovery_code_used", User;
    UserAddedByCli => "user_added_by_cli", User;
    ApiTokenCreated => "api_token_created", ApiToken;
    ApiTokenRevoked => "api_token_revoked", ApiToken;
    // Personal data rights
    SubjectAccessDownloaded => "subject_access_downloaded", User;
    PersonErased => "person_erased", User;
    // Roles
    RoleRequested => "role_requested", RoleRequest;
    RoleRequestApproved => "role_request_approved", RoleRequest;
    RoleRequestDeclined => "role_request_declined", RoleRequest;
    Invited => "invited", Invitation;
    InvitationAccepted => "invitation_accepted", Invitation;
    // Programmes, places and rounds
    ProgrammeSummaryChanged => "programme_summary_changed", Programme;
    ProgrammePageChanged => "programme_page_changed", Programme;
    ContributionRecorded => "contribution_recorded", Programme;
    RetentionRulesChanged => "retention_rules_changed", Programme;
    OrganisationsImported => "organisations_imported", Organisation;
    PlacesImported => "places_imported", Place;
    PlaceChairProposed => "place_chair_proposed", Place;
    PlaceChairChanged => "place_chair_changed", Place;
    PlaceChairProposalApproved => "place_chair_proposal_approved", Place;
    PlaceChairProposalRejected => "place_chair_proposal_rejected", Place;
    RoundCreated => "round_created", Round;
    FormChanged => "form_changed", Round;
    FormVersionStarted => "form_version_started", Round;
    FormPublished => "form_published", Round;
    ApplicationsExported => "applications_exported", Round;
    // Applications
    ApplicationStarted => "application_started", Application;
    FileUploaded => "file_uploaded", Application;
    SignoffRequested => "signoff_requested", Application;
    SignedOff => "signed_off", Application;
    ApplicationSubmitted => "application_submitted", Application;
    ApplicationWithdrawn => "application_withdrawn", Application;
    DeadlineExtended => "deadline_extended", Application;
    // News
    NewsCreated => "news_created", NewsItem;
    NewsChanged => "news_changed", NewsItem;
    // Panel review (conflicts and bids name the round; scores and moderation the application)
    PanelMemberPut => "panel_member_put", Round;
    PanelChairSet => "panel_chair_set", Round;
    PanelSettingsChanged => "panel_settings_changed", Round;
    RubricSet => "rubric_set", Round;
    ConflictDeclared => "conflict_declared", Round;
    BidPlaced => "bid_placed", Application;
    AssignmentRun => "assignment_run", Round;
    AssignmentChanged => "assignment_changed", Application;
    ReviewSaved => "review_saved", Application;
    ReviewSubmitted => "review_submitted", Application;
    ModerationRecorded => "moderation_recorded", Application;
    SelectionRulesSet => "selection_rules_set", Round;
    AwardValueSet => "award_value_set", Application;
    SelectionRun => "selection_run", Round;
    DecisionRecorded => "decision_recorded", Application;
    AwardOffered => "award_offered", Award;
    AwardAccepted => "award_accepted", Award;
    AwardDeclined => "award_declined", Award;
    LetterSent => "letter_sent", Application;
    GrantPrefixSet => "grant_prefix_set", Programme;
    // Enablers, engagements and support
    EngagementStarted => "engagement_started", Engagement;
    EngagementEnded => "engagement_ended", Engagement;
    ContactLogged => "contact_logged", ContactEntry;
    ContactQueried => "contact_queried", ContactEntry;
    ContactQueryAnswered => "contact_query_answered", ContactEntry;
    ContactQuerySettled => "contact_query_settled", ContactEntry;
    MatchingRun => "matching_run", Programme;
    MatchingChanged => "matching_changed", Award;
    MatchingConfirmed => "matching_confirmed", Programme;
    SupportOfferAdded => "support_offer_added", Programme;
    SupportRequested => "support_requested", Award;
    SupportApproved => "support_approved", Award;
    SupportDeclined => "support_declined", Award;
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_action_has_its_own_stored_word() {
        let keys: HashSet<&str> = AuditAction::ALL.iter().map(|a| a.key()).collect();
        assert_eq!(keys.len(), AuditAction::ALL.len());
        for action in AuditAction::ALL {
            let key = action.key();
            assert!(key.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'), "{key}");
        }
    }

    #[test]
    fn actions_name_the_record_they_are_about() {
        assert_eq!(AuditAction::ApplicationSubmitted.record().key(), "application");
        assert_eq!(AuditAction::NewsChanged.record().key(), "news_item");
        assert_eq!(AuditAction::ApiTokenRevoked.record().key(), "api_token");
        assert_eq!(AuditAction::PlacesImported.record().key(), "place");
    }
}
