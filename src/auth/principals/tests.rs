use super::*;
use entity::Role;

fn user(tenant_id: Uuid, role: Role) -> Principal {
    Principal::from_user(&entity::user::Model {
        tenant_id,
        id: Uuid::now_v7(),
        email: "someone@example.com".into(),
        display_name: "Someone".into(),
        role,
        client_id: None,
        active: true,
        created_at: chrono::Utc::now(),
        updated_at: chrono::Utc::now(),
    })
}

fn listening() -> PrincipalCache {
    let cache = PrincipalCache::default();
    cache.set_listening(true);
    cache
}

fn user_id(principal: &Principal) -> Uuid {
    principal.user_id().expect("a user")
}

#[test]
fn a_user_looked_up_is_served_again_until_their_tenant_changes() {
    let cache = listening();
    let (tenant, other) = (Uuid::now_v7(), Uuid::now_v7());
    let (alice, bob) = (user(tenant, Role::Editor), user(other, Role::Viewer));
    for principal in [&alice, &bob] {
        cache.insert(cache.epoch(), principal);
    }
    assert_eq!(cache.get(tenant, user_id(&alice)), Some(alice.clone()));
    cache.directory_changed(tenant);
    assert_eq!(cache.get(tenant, user_id(&alice)), None);
    assert_eq!(
        cache.get(other, user_id(&bob)),
        Some(bob),
        "another tenant keeps its users"
    );
}

#[test]
fn a_lookup_that_began_before_a_change_is_not_kept() {
    let cache = listening();
    let tenant = Uuid::now_v7();
    let alice = user(tenant, Role::Admin);
    let before = cache.epoch();
    cache.directory_changed(tenant);
    cache.insert(before, &alice);
    assert_eq!(cache.get(tenant, user_id(&alice)), None);
}

#[test]
fn nothing_is_trusted_while_changes_go_unheard() {
    let cache = PrincipalCache::default();
    let tenant = Uuid::now_v7();
    let alice = user(tenant, Role::Admin);
    cache.insert(cache.epoch(), &alice);
    assert_eq!(cache.get(tenant, user_id(&alice)), None, "never listened");
    cache.set_listening(true);
    cache.insert(cache.epoch(), &alice);
    cache.set_listening(false);
    assert_eq!(
        cache.get(tenant, user_id(&alice)),
        None,
        "the listener went down"
    );
    cache.set_listening(true);
    assert_eq!(
        cache.get(tenant, user_id(&alice)),
        None,
        "what was kept before is gone"
    );
}

#[test]
fn an_entry_is_trusted_for_its_ttl_only() {
    let cache = PrincipalCache::with_ttl(Duration::ZERO);
    cache.set_listening(true);
    let alice = user(Uuid::now_v7(), Role::Admin);
    cache.insert(cache.epoch(), &alice);
    assert_eq!(cache.get(alice.tenant_id(), user_id(&alice)), None);
}
