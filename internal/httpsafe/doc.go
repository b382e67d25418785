// Package httpsafe holds the security rules that packages client, auth and
// redislimit apply to what crosses the network, each written once: the base
// URL and origin checks, the token client that refuses redirects, the
// Retry-After parser, and the making of server text safe to show (cleaning,
// cutting, redaction of credentials).
package httpsafe
