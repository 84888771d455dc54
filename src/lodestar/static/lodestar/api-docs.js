/* Starts Swagger UI on the API reference page (/api/v1/docs).
 *
 * A static file rather than an inline script, so the page runs under the Content-Security-Policy.
 * It reads the schema's address and the CSRF token from the <body>'s data attributes.
 */
(function () {
  "use strict";

  function start() {
    const data = document.body.dataset;
    window.SwaggerUIBundle({
      url: data.openapiUrl,
      dom_id: "#swagger-ui",
      layout: "BaseLayout",
      deepLinking: true,
      // The public validator would receive the schema from every reader's browser.
      validatorUrl: null,
      presets: [window.SwaggerUIBundle.presets.apis],
      requestInterceptor: (request) => {
        // "Try it out" with the browser session needs the CSRF token, as every API call does.
        if (data.csrfToken) request.headers["X-CSRFToken"] = data.csrfToken;
        return request;
      },
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
