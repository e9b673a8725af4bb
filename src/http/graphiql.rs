//! GraphiQL for browsers, in development.

use axum::response::Html;

pub fn page() -> Html<String> {
    Html(
        async_graphql::http::GraphiQLSource::build()
            .endpoint("/graphql")
            .title("Debrief GraphiQL")
            .finish(),
    )
}
