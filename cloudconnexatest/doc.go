// Package cloudconnexatest provides a fake CloudConnexa API server for tests,
// in the way net/http/httptest provides HTTP servers: [NewServer] starts a
// stateful, in-memory implementation of all operations of the CloudConnexa
// API v1.2.3 on a loopback address and closes it when the test ends.
//
// The fake follows the project's OpenAPI document (api/openapi.yaml):
// every request it receives is validated against the document (an invalid
// one is answered 400 with an ErrorResponse saying what is wrong) and every
// response it produces is validated before it is sent (a violation fails
// the test that caused it). [ValidatingTransport] gives the same checks to
// a test's own traffic, against the fake or any other server.
//
// Like the real service it issues OAuth2 client-credentials tokens at
// /api/v1/oauth/token (HTTP Basic, JSON body or query parameters), expires
// them, limits the request rate per API key with X-RateLimit-* headers and
// 429 answers, pages lists from page 0, and walks sessions and audit logs by
// cursor. Faults (status codes, delays, dropped connections, truncated or
// malformed bodies, expired tokens) can be injected per operation with
// [Server.InjectFault], and [Server.RequestCount] counts what arrived.
//
// Outside tests, [Start] runs the same server, and the cloudconnexa-fake
// command serves it on a fixed address for any client.
package cloudconnexatest
