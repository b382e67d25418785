// Command cloudconnexa-fake serves the fake CloudConnexa API of package
// cloudconnexatest on a fixed address, for clients in any language: point
// them at the printed URL with the printed (fake) credentials.
//
//	go run ./cmd/cloudconnexa-fake                         # http://127.0.0.1:8080
//	go run ./cmd/cloudconnexa-fake -tls -cert-out ca.pem   # https, trust ca.pem
//	cloudconnexa-fake -version                             # cloudconnexa-fake v0.1.0 (api 1.2.3)
//
// It accepts requests as the live service does (-strict holds them to the
// letter of the project's OpenAPI document) and checks every response
// against the document. It listens on loopback only unless -public is
// given, and stops cleanly on SIGINT or SIGTERM.
package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/cloudconnexa-go/cloudconnexa/client"
	"github.com/cloudconnexa-go/cloudconnexa/cloudconnexatest"
	"github.com/cloudconnexa-go/cloudconnexa/internal/version"
)

// shutdownTimeout bounds how long requests under way may take to finish
// once a stop is asked for.
const shutdownTimeout = 10 * time.Second

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "cloudconnexa-fake:", err)
		os.Exit(1)
	}
}

// run serves the fake until ctx is done. It prints the base URL and the
// credentials to stdout, and logs there too.
func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("cloudconnexa-fake", flag.ContinueOnError)
	fs.SetOutput(stdout)
	addr := fs.String("addr", "127.0.0.1:8080", "listen address")
	clientID := fs.String("client-id", "fake-client-id", "API client id the fake accepts (a fake test credential)")
	clientSecret := fs.String("client-secret", "fake-client-secret", "API client secret the fake accepts (a fake test credential)")
	tokenTTL := fs.Duration("token-ttl", cloudconnexatest.DefaultTokenTTL, "lifetime of access tokens")
	burst := fs.Int("rate-burst", cloudconnexatest.DefaultBurst, "rate limit: requests an API key may make at once (the real API: 20)")
	replenish := fs.Int("rate-replenish", cloudconnexatest.DefaultReplenishRate, "rate limit: requests added every -rate-replenish-time (the real API: 1)")
	replenishTime := fs.Duration("rate-replenish-time", cloudconnexatest.DefaultReplenishTime, "rate limit: replenish period (the real API: 15s)")
	noRateLimit := fs.Bool("no-rate-limit", false, "do not limit the request rate")
	useTLS := fs.Bool("tls", false, "serve HTTPS with a certificate for localhost, 127.0.0.1 and ::1 generated at start")
	certOut := fs.String("cert-out", "", "with -tls, write the certificate (PEM) to this file for clients to trust")
	noSeed := fs.Bool("no-seed", false, "start without sample users, sessions, audit log and DNS log")
	tenant := fs.Int64("tenant", -1, "also seed a realistic tenant made from this seed: every kind of object (networks, hosts, groups, 300 users, access groups, postures, DNS records...), referring to each other, and every setting")
	strict := fs.Bool("strict", false, "hold requests to the letter of the OpenAPI document (undeclared properties, nulls, undocumented token request forms refused)")
	public := fs.Bool("public", false, "allow an -addr that is not a loopback address (the fake has fake credentials and no protection)")
	readHeaderTimeout := fs.Duration("read-header-timeout", cloudconnexatest.DefaultReadHeaderTimeout, "drop a connection that has not sent a request's headers within this time")
	verbose := fs.Bool("v", false, "log every request (method, path, status, duration)")
	logBodies := fs.Bool("log-bodies", false, "with -v, also log request and response bodies, credentials and tokens redacted")
	showVersion := fs.Bool("version", false, "print the module version and the API version, and exit")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if *showVersion {
		fmt.Fprintf(stdout, "cloudconnexa-fake %s (api %s)\n", version.Module(), client.APIVersion)
		return nil
	}
	if *certOut != "" && !*useTLS {
		return errors.New("-cert-out needs -tls")
	}
	if err := checkFlags(*tokenTTL, *burst, *replenish, *replenishTime, *readHeaderTimeout, *tenant); err != nil {
		return err
	}
	if err := checkAddr(*addr, *public); err != nil {
		return err
	}
	*addr = canonicalAddr(*addr)

	level := slog.LevelInfo
	if *verbose || *logBodies {
		level = slog.LevelDebug
	}
	opts := []cloudconnexatest.Option{
		cloudconnexatest.WithAddr(*addr),
		cloudconnexatest.WithCredentials(*clientID, *clientSecret),
		cloudconnexatest.WithTokenTTL(*tokenTTL),
		cloudconnexatest.WithEnforcedRateLimit(*burst, *replenish, *replenishTime),
		cloudconnexatest.WithReadHeaderTimeout(*readHeaderTimeout),
		cloudconnexatest.WithLogger(slog.New(slog.NewTextHandler(stdout, &slog.HandlerOptions{Level: level}))),
	}
	if *noRateLimit {
		opts = append(opts, cloudconnexatest.WithoutRateLimit())
	}
	if *noSeed {
		opts = append(opts, cloudconnexatest.WithoutSeed())
	}
	if *tenant >= 0 {
		opts = append(opts, cloudconnexatest.WithTenant(cloudconnexatest.RealisticTenant(uint64(*tenant))))
	}
	if *strict {
		opts = append(opts, cloudconnexatest.WithStrictRequests())
	}
	if *logBodies {
		opts = append(opts, cloudconnexatest.WithBodyLogging())
	}
	if *useTLS {
		cert, certPEM, err := selfSignedCertificate(time.Now())
		if err != nil {
			return err
		}
		if *certOut == "" {
			// Clients need the certificate to trust it: without -cert-out
			// it goes to a temporary file, removed at exit.
			f, err := os.CreateTemp("", "cloudconnexa-fake-*.pem")
			if err != nil {
				return fmt.Errorf("writing the certificate: %w", err)
			}
			_ = f.Close()
			*certOut = f.Name()
			defer os.Remove(*certOut)
		}
		if err := os.WriteFile(*certOut, certPEM, 0o644); err != nil {
			return fmt.Errorf("writing the certificate: %w", err)
		}
		opts = append(opts, cloudconnexatest.WithTLSCertificate(cert))
	}

	srv, err := cloudconnexatest.Start(opts...)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "CloudConnexa fake API listening on %s\n", srv.URL)
	fmt.Fprintf(stdout, "  client id:     %s\n  client secret: %s  (fake test credentials)\n", srv.ClientID, srv.ClientSecret)
	if *certOut != "" {
		fmt.Fprintf(stdout, "  certificate:   %s  (curl --cacert %[1]s, SSL_CERT_FILE=%[1]s)\n", *certOut)
	}
	curl := "curl"
	if *useTLS {
		curl = "curl --cacert " + *certOut
	}
	fmt.Fprintf(stdout, "  token:         %s -u %s:%s -d grant_type=client_credentials %s/api/v1/oauth/token\n", curl, srv.ClientID, srv.ClientSecret, srv.URL)

	<-ctx.Done()
	fmt.Fprintln(stdout, "shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	return srv.Shutdown(sctx)
}

// checkFlags refuses durations and counts the fake cannot work with.
func checkFlags(tokenTTL time.Duration, burst, replenish int, replenishTime, readHeaderTimeout time.Duration, tenant int64) error {
	var errs []error
	if tokenTTL <= 0 {
		errs = append(errs, fmt.Errorf("-token-ttl must be positive (got %v)", tokenTTL))
	}
	if burst < 1 {
		errs = append(errs, fmt.Errorf("-rate-burst must be at least 1 (got %d)", burst))
	}
	if replenish < 1 {
		errs = append(errs, fmt.Errorf("-rate-replenish must be at least 1 (got %d)", replenish))
	}
	if replenishTime < time.Millisecond {
		errs = append(errs, fmt.Errorf("-rate-replenish-time must be at least 1ms (got %v)", replenishTime))
	}
	if readHeaderTimeout <= 0 {
		errs = append(errs, fmt.Errorf("-read-header-timeout must be positive (got %v)", readHeaderTimeout))
	}
	if tenant < -1 {
		errs = append(errs, fmt.Errorf("-tenant must be a seed of 0 or more (got %d)", tenant))
	}
	return errors.Join(errs...)
}

// checkAddr refuses a listen address that is not loopback-only unless
// public is set: the fake accepts well-known fake credentials. Every
// spelling of loopback is loopback: localhost in any case, with or without
// the root's dot, 127.0.0.0/8, ::1 however written, IPv4-mapped loopback.
func checkAddr(addr string, public bool) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("-addr %q: %w", addr, err)
	}
	if public || isLocalhost(host) {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	if host == "" {
		host = "every interface"
	}
	return fmt.Errorf("-addr %q listens on %s, not only on loopback: the fake has fake credentials and no protection; add -public to allow it", addr, host)
}

// isLocalhost reports whether host is the name localhost, in any case,
// with or without the root's trailing dot.
func isLocalhost(host string) bool {
	return strings.EqualFold(strings.TrimSuffix(host, "."), "localhost")
}

// canonicalAddr spells a localhost address the way every resolver knows,
// lower case without the trailing dot.
func canonicalAddr(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || !isLocalhost(host) {
		return addr
	}
	return net.JoinHostPort("localhost", port)
}

// selfSignedCertificate makes an ECDSA P-256 certificate for localhost,
// 127.0.0.1 and ::1, valid for a year, that is its own CA, so clients can
// trust exactly it. It returns it for the server and in PEM for clients.
func selfSignedCertificate(now time.Time) (tls.Certificate, []byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{Organization: []string{"cloudconnexa-fake"}, CommonName: "localhost"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(1, 0, 0),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	cert := tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
	return cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), nil
}
