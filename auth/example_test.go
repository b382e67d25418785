package auth_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/cloudconnexa-go/cloudconnexa/auth"
)

// fakeTenant stands in for https://<tenant>.api.openvpn.com.
func fakeTenant() *httptest.Server {
	return httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/v1/oauth/token":
			if id, secret, _ := r.BasicAuth(); id != "my-client-id" || secret != "my-client-secret" {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusUnauthorized)
				fmt.Fprint(w, `{"error":"invalid_client","error_description":"Bad client credentials"}`)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"access_token":"abc123","token_type":"bearer","expires_in":43199,"scope":"read write"}`)
		case "/api/v1/networks":
			fmt.Fprintf(w, "networks for %q", r.Header.Get("Authorization"))
		default:
			http.NotFound(w, r)
		}
	}))
}

func ExampleNew() {
	srv := fakeTenant()
	defer srv.Close()

	// In production: auth.New("https://acme.api.openvpn.com", id, secret).
	// The test server's client trusts its self-signed certificate.
	a, err := auth.New(srv.URL, "my-client-id", "my-client-secret",
		auth.WithHTTPClient(srv.Client()))
	if err != nil {
		fmt.Println(err)
		return
	}

	// Every request through this client is signed; the token is fetched on
	// first use and then cached.
	hc := &http.Client{Transport: a.Transport(srv.Client().Transport)}
	resp, err := hc.Get(srv.URL + "/api/v1/networks")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.StatusCode, string(body))
	// Output: 200 networks for "Bearer abc123"
}

func ExampleAuthenticationError() {
	srv := fakeTenant()
	defer srv.Close()

	a, _ := auth.New(srv.URL, "my-client-id", "wrong-secret", auth.WithHTTPClient(srv.Client()))
	_, err := a.Token(context.Background())

	var ae *auth.AuthenticationError
	if errors.As(err, &ae) {
		fmt.Println(ae.StatusCode, ae.Code, ae.Message)
		fmt.Println(err)
	}
	// Output:
	// 401 invalid_client Bad client credentials
	// cloudconnexa: authentication failed: 401 invalid_client: Bad client credentials
}

func ExampleAuthenticator_EditRequest() {
	srv := fakeTenant()
	defer srv.Close()
	a, _ := auth.New(srv.URL, "my-client-id", "my-client-secret", auth.WithHTTPClient(srv.Client()))

	// EditRequest has the shape of oapi-codegen's RequestEditorFn, e.g.
	// gen.NewClient(server, gen.WithRequestEditorFn(a.EditRequest)).
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/api/v1/networks", nil)
	if err := a.EditRequest(context.Background(), req); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(req.Header.Get("Authorization"))
	// Output: Bearer abc123
}

func ExampleWithAllowInsecureLoopback() {
	// Plain http is refused, except for loopback hosts when explicitly allowed.
	_, err := auth.New("http://acme.api.openvpn.com", "id", "secret")
	fmt.Println(errors.Is(err, auth.ErrInsecureURL))
	_, err = auth.New("http://127.0.0.1:8080", "id", "secret", auth.WithAllowInsecureLoopback())
	fmt.Println(err)
	// Output:
	// true
	// <nil>
}
