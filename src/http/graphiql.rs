//! GraphiQL for browsers, in development.

use axum::response::Html;

/// The GraphiQL page, pointed at `/graphql`.
pub fn page() -> Html<String> {
    Html(
        async_graphql::http::GraphiQLSource::build()
            .endpoint("/graphql")
            .title("Debrief GraphiQL")
            .finish(),
    )
}
