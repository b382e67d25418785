// Package cloudconnexatest provides a fake CloudConnexa API server for tests,
// in the way net/http/httptest provides HTTP servers: [NewServer] starts a
// stateful, in-memory implementation of all operations of the CloudConnexa
// API v1.2.3 on a loopback address and closes it when the test ends.
//
// The fake imitates the service, checked against the project's OpenAPI
// document (api/openapi.yaml). It accepts requests the way the service
// does: properties the document does not declare are ignored and null is
// the same as absent, while types, enums and required properties are
// enforced with the service's 400; [WithStrictRequests] holds requests to
// the letter of the document instead, naming every offending field. Every
// response it produces is validated strictly (a violation fails the test
// that caused it). [ValidatingTransport] gives the same checks to a test's
// own traffic, against the fake or any other server.
//
// Like the real service it issues OAuth2 client-credentials tokens at
// /api/v1/oauth/token (HTTP Basic with a form, a JSON or no body, or query
// parameters), expires them, limits the request rate per API key with
// X-RateLimit-* headers and 429 answers ([WithEnforcedRateLimit]), pages
// lists from page 0, walks sessions and audit logs by cursor, and seeds the
// region ids the live service uses; [WithTenant] adds a deterministic
// sample tenant. Faults (status codes, delays, dropped connections,
// truncated or malformed bodies, expired tokens) can be injected per
// operation with [Server.InjectFault]; [Server.Requests] tells a test what
// arrived, in order, [Server.Writes] what may have changed the tenant and
// [Server.Count] how often each operation was called; the ones that take
// the gen.Op constants fail the test on an id the document does not have.
// The fake keeps references whole (docs/testing.md, "References") and
// refuses blank required strings, as the service does. [Server.Client] makes retry and Retry-After
// paths take milliseconds ([Server.ClientOptions]).
//
// Outside tests, [Start] runs the same server, and the cloudconnexa-fake
// command serves it on a fixed address for any client.
package cloudconnexatest
