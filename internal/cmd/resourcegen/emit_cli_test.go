package main

import "testing"

func TestKebab(t *testing.T) {
	for in, want := range map[string]string{
		"NetworkConnectors":  "network-connectors",
		"DNSRecords":         "dns-records",
		"HostIPServices":     "host-ip-services",
		"OAuth":              "oauth",
		"GetDNSProxyEnabled": "get-dns-proxy-enabled",
		"StartIPsec":         "start-ipsec",
		"GetSNAT":            "get-snat",
		"Get":                "get",
	} {
		if got := kebab(in); got != want {
			t.Errorf("kebab(%q) = %q, want %q", in, got, want)
		}
	}
}
