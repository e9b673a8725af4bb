//! Where a webhook may go. Names are resolved and every address they resolve to must be
//! public, at creation and again at each connection (DNS can change between the two), so
//! an endpoint cannot be pointed at the server's own network.

use crate::domain::FieldError;
use crate::domain::webhook::{AddressPolicy, is_public, not_public};
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::net::SocketAddr;
use std::time::Duration;
use url::{Host, Url};

/// How long a name may take to resolve when an endpoint is saved.
const LOOKUP_TIMEOUT: Duration = Duration::from_secs(3);

/// Refuses a URL whose host resolves to an address that is not public. A name that does not
/// resolve (yet) is accepted: its deliveries fail until it does.
pub async fn vet(field: &str, url: &Url, policy: AddressPolicy) -> Result<(), FieldError> {
    if policy.allow_private {
        return Ok(());
    }
    let Some(Host::Domain(host)) = url.host() else {
        return Ok(());
    };
    let lookup = tokio::net::lookup_host((host, url.port_or_known_default().unwrap_or(443)));
    match tokio::time::timeout(LOOKUP_TIMEOUT, lookup).await {
        Ok(Ok(addresses)) => {
            let addresses: Vec<SocketAddr> = addresses.collect();
            if addresses.iter().all(|a| is_public(a.ip())) {
                Ok(())
            } else {
                Err(not_public(field))
            }
        }
        Ok(Err(_)) | Err(_) => Ok(()),
    }
}

/// The error a connection fails with when its name resolves to an address that is not
/// public.
#[derive(Debug, thiserror::Error)]
#[error("the host resolves to an address that is not public")]
pub struct NotPublic;

/// A resolver that only ever connects to public addresses: a name with any other address
/// fails to resolve.
#[derive(Debug, Default)]
pub struct PublicOnly;

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        Box::pin(async move {
            let addresses: Vec<SocketAddr> =
                tokio::net::lookup_host((name.as_str(), 0)).await?.collect();
            if addresses.is_empty() || !addresses.iter().all(|a| is_public(a.ip())) {
                return Err(Box::new(NotPublic) as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(addresses.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::FieldErrorCode;

    #[tokio::test]
    async fn a_name_resolving_to_loopback_is_refused_at_saving_and_at_connecting() {
        let url = Url::parse("https://localhost/hooks").unwrap();
        let strict = AddressPolicy::default();
        let refusal = vet("url", &url, strict).await.unwrap_err();
        assert_eq!(refusal.code, FieldErrorCode::Invalid);
        let open = AddressPolicy {
            allow_private: true,
        };
        assert!(vet("url", &url, open).await.is_ok());
        let name: Name = "localhost".parse().unwrap();
        let error = PublicOnly.resolve(name).await.err().expect("refused");
        assert!(error.is::<NotPublic>(), "{error}");
    }
}
