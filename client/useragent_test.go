package client

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/cloudconnexa-go/cloudconnexa/internal/version"
)

func TestUserAgentReportsTheModuleVersion(t *testing.T) {
	assert.Equal(t, "cloudconnexa-go/v1.5.0 (api "+APIVersion+")", userAgent("v1.5.0"))
	// In tests the build information names no version: the constant is used,
	// the same one cloudconnexa-fake -version reports.
	assert.Equal(t, "cloudconnexa-go/"+version.Fallback+" (api "+APIVersion+")", UserAgent())
}
