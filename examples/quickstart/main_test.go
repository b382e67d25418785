package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cloudconnexa-go/cloudconnexa/cloudconnexatest"
)

// TestRun runs the example against a fake server and checks that it got to
// the end, with every step's lines after its heading.
func TestRun(t *testing.T) {
	srv := cloudconnexatest.NewServer(t)
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, srv.Client(), true), "run; output:\n%s", out.String())
	text := "\n" + out.String()
	assert.Contains(t, text, "not found = true", "output")

	// Issue 16: the users must follow the "4." heading, not precede it.
	heading := strings.Index(text, "4. users")
	user := strings.Index(text, "   user ")
	require.GreaterOrEqual(t, heading, 0, "no step 4 heading in:\n%s", text)
	require.GreaterOrEqual(t, user, 0, "no user line in:\n%s", text)
	assert.Less(t, heading, user, "a user printed before the step 4 heading:\n%s", text)
	for _, step := range []string{"1.", "2.", "3.", "4.", "5.", "6."} {
		assert.Contains(t, text, "\n"+step+" ", "step %s", step)
	}
	assert.Less(t, strings.Index(text, "\n5. "), strings.Index(text, "\n6. "), "steps in order")
}
