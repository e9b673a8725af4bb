// Starts GraphiQL on Debrief's endpoint. The header editor starts with the settings' headers
// (in development, the demo ADMIN's token) and keeps edits across reloads; whenever it holds
// valid JSON, a new fetcher is made, so GraphiQL fetches the schema again with those headers.
// Subscriptions go over the WebSocket endpoint, signed in with the headers' Authorization.
(function () {
  var settings = JSON.parse(document.getElementById('debrief-settings').textContent);
  var url = new URL('/graphql', window.location.href).href;
  var subscriptionUrl = url.replace(/^http/, 'ws') + '/ws';

  function headersOf(text) {
    try {
      var headers = JSON.parse(text || '{}');
      return headers && typeof headers === 'object' && !Array.isArray(headers) ? headers : null;
    } catch (error) {
      return null;
    }
  }

  // connection_init carries the token as the Authorization header would.
  function connectionParamsOf(headers) {
    var name = Object.keys(headers).find(function (key) {
      return key.toLowerCase() === 'authorization';
    });
    return name ? { authorization: headers[name] } : {};
  }

  // GraphiQL keeps its tabs, each with its query and headers, in its tab state.
  function storedTab() {
    try {
      var state = JSON.parse(window.localStorage.getItem('graphiql:tabState'));
      return (state && state.tabs && state.tabs[state.activeTabIndex]) || null;
    } catch (error) {
      return null;
    }
  }

  function Debrief() {
    // A browser's first visit starts from the defaults. Later, GraphiQL reopens the tab
    // whose query, variables and headers match the props it is given, and opens a new one
    // when none does, so the stored tab's own contents are given back to it.
    var tab = storedTab();
    var applied = React.useState((tab && tab.headers) || settings.headers);
    var fetcher = React.useMemo(function () {
      var headers = headersOf(applied[0]) || {};
      return GraphiQL.createFetcher({
        url: url,
        headers: headers,
        subscriptionUrl: subscriptionUrl,
        wsConnectionParams: connectionParamsOf(headers),
      });
    }, [applied[0]]);
    return React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: settings.query,
      defaultHeaders: settings.headers,
      query: tab ? tab.query : undefined,
      variables: tab ? tab.variables : undefined,
      headers: tab ? tab.headers : undefined,
      shouldPersistHeaders: true,
      isHeadersEditorEnabled: true,
      defaultEditorToolsVisibility: 'headers',
      onEditHeaders: function (text) {
        if (headersOf(text) !== null) {
          applied[1](text);
        }
      },
    });
  }

  ReactDOM.createRoot(document.getElementById('graphiql')).render(React.createElement(Debrief));
})();
