package client_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strconv"
	"time"

	"github.com/cloudconnexa-go/cloudconnexa/client"
	"github.com/cloudconnexa-go/cloudconnexa/gen"
)

// fakeTenant is a tiny stand-in for a CloudConnexa tenant: a token endpoint,
// one network, and a list of 25 networks.
func fakeTenant() *httptest.Server {
	mux := http.NewServeMux()
	reply := func(w http.ResponseWriter, status int, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(v)
	}
	mux.HandleFunc("POST /api/v1/oauth/token", func(w http.ResponseWriter, r *http.Request) {
		reply(w, 200, map[string]any{"access_token": "tok-1", "expires_in": 3600})
	})
	mux.HandleFunc("GET /api/v1/networks/{id}", func(w http.ResponseWriter, r *http.Request) {
		if id := r.PathValue("id"); id != "n-1" {
			reply(w, 400, map[string]any{
				"statusError":  "BAD_REQUEST",
				"errorMessage": "Network with ID " + id + " not found",
			})
			return
		}
		reply(w, 200, gen.NetworkResponse{ID: "n-1", Name: "office"})
	})
	mux.HandleFunc("GET /api/v1/networks", func(w http.ResponseWriter, r *http.Request) {
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		size, _ := strconv.Atoi(r.URL.Query().Get("size"))
		const total = 25
		p := gen.PageNetworkResponse{Content: []gen.NetworkResponse{}, Page: int32(page), Size: int32(size), TotalElements: total, TotalPages: int32((total + size - 1) / size)}
		for i := page * size; i < min(total, (page+1)*size); i++ {
			p.Content = append(p.Content, gen.NetworkResponse{ID: fmt.Sprintf("n-%d", i), Name: fmt.Sprintf("net-%02d", i)})
		}
		reply(w, 200, p)
	})
	return httptest.NewServer(mux)
}

func ExampleNew() {
	srv := fakeTenant()
	defer srv.Close()

	// Against a real tenant: client.New("https://acme.api.openvpn.com", id, secret)
	// or just client.New("acme", id, secret).
	c, err := client.New(srv.URL, "client-id", "client-secret",
		client.WithAllowInsecureLoopback(), // plain http to the local test server
		client.WithRetryPolicy(client.RetryPolicy{MaxAttempts: 3, MaxElapsed: 30 * time.Second}),
	)
	if err != nil {
		log.Fatal(err)
	}
	n, err := c.Networks.Get(context.Background(), "n-1")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(n.Name)
	// Output: office
}

// The raw layer gives the status code, headers and body beside the decoded
// value; the resource methods return the value alone.
func ExampleClient_raw() {
	srv := fakeTenant()
	defer srv.Close()
	c, err := client.New(srv.URL, "client-id", "client-secret", client.WithAllowInsecureLoopback())
	if err != nil {
		log.Fatal(err)
	}
	resp, err := c.Raw.GetNetworkWithResponse(context.Background(), "n-1")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.StatusCode(), resp.HTTPResponse.Header.Get("Content-Type"), resp.JSON200.Name)
	// Output: 200 application/json office
}

func ExampleNetworksService_All() {
	srv := fakeTenant()
	defer srv.Close()
	c, err := client.New(srv.URL, "client-id", "client-secret", client.WithAllowInsecureLoopback())
	if err != nil {
		log.Fatal(err)
	}

	// Pages of 10: three requests for 25 networks, made as the loop needs them.
	count := 0
	for n, err := range c.Networks.All(context.Background(), &client.NetworksListParams{Size: 10}) {
		if err != nil {
			log.Fatal(err)
		}
		if count < 2 {
			fmt.Println(n.Name)
		}
		count++
	}
	fmt.Println(count, "networks")
	// Output:
	// net-00
	// net-01
	// 25 networks
}

func ExampleAPIError() {
	srv := fakeTenant()
	defer srv.Close()
	c, err := client.New(srv.URL, "client-id", "client-secret", client.WithAllowInsecureLoopback())
	if err != nil {
		log.Fatal(err)
	}

	// The API answers this unknown id with 400 "not found"; ErrNotFound
	// matches it as it matches a 404.
	_, err = c.Networks.Get(context.Background(), "n-404")
	fmt.Println(errors.Is(err, client.ErrNotFound))

	var apiErr *client.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.StatusCode, apiErr.Operation, apiErr.ResourceID)
		fmt.Println(apiErr.Message)
	}
	fmt.Println(err)
	// Output:
	// true
	// 400 getNetwork n-404
	// Network with ID n-404 not found
	// cloudconnexa: getNetwork "n-404": 400 Bad Request: Network with ID n-404 not found
}

func ExampleNewFromEnv() {
	// CLOUDCONNEXA_BASE_URL, CLOUDCONNEXA_CLIENT_ID and
	// CLOUDCONNEXA_CLIENT_SECRET come from the environment or, when unset
	// there, from the dotenv file.
	c, err := client.NewFromEnv(client.WithEnvFile(".env"))
	if err != nil {
		log.Fatal(err) // names the missing variable, never the secret
	}
	_ = c
}
