package rpc

import (
	"log/slog"
	"strings"
	"testing"

	"github.com/tcms/tcms/store"
	"github.com/tcms/tcms/store/storetest"
)

func TestBugTracker(t *testing.T) {
	var logged storetest.LogBuffer
	ts := mustServerWith(t, func(cfg *Config) {
		cfg.Logger = slog.New(slog.NewTextHandler(&logged, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	c := ts.callers(t, userName, userPass) // the Tester group holds testcases.*
	const secret = "s3cr3t-api-token-Zq"

	t.Run("Seed", func(t *testing.T) {
		var all, one []store.BugTracker
		c.viaXML(t, &all, "BugTracker.filter", map[string]any{})
		c.viaJSON(t, &one, "BugTracker.filter", map[string]any{"name": "Bugzilla"})
		if len(all) != 2 || all[0].Name != "Bugzilla" || all[1].Name != "JIRA" || len(one) != 1 || one[0] != all[0] {
			t.Fatalf("seeded trackers: %+v %+v", all, one)
		}
	})

	var full, bare store.BugTracker
	t.Run("Create", func(t *testing.T) {
		r := c.json("BugTracker.create", map[string]any{"name": "Gitea", "tracker_type": "tcms.issuetracker.types.Gitea",
			"base_url": "https://gitea.example.com", "api_url": "https://gitea.example.com/api/v1",
			"api_username": "bot", "api_password": secret})
		result(t, r, &full)
		if got := keysOf(t, r.Result); got != "api_url,api_username,base_url,id,name,tracker_type" {
			t.Fatalf("S-BugTracker keys %s", got)
		}
		if full.APIUsername == nil || *full.APIUsername != "bot" || full.BaseURL == nil || *full.BaseURL != "https://gitea.example.com" {
			t.Fatalf("created %+v", full)
		}
		c.viaXML(t, &bare, "BugTracker.create", map[string]any{"name": "Local", "tracker_type": "x", "base_url": ""})
		if bare.BaseURL != nil || bare.APIURL != nil || bare.APIUsername != nil {
			t.Fatalf("empty fields should be null: %+v", bare)
		}
		user, password, err := ts.Store.BugTrackerCredentials(t.Context(), full.ID)
		if err != nil || user != "bot" || password != secret {
			t.Fatalf("stored credentials %q %q %v", user, password, err)
		}
	})
	t.Run("PasswordNeverOut", func(t *testing.T) {
		for _, q := range []map[string]any{{}, {"id": full.ID}, {"api_username__contains": "bo"}} {
			r := c.json("BugTracker.filter", q)
			if r.Error != nil || strings.Contains(string(r.Result), secret) || strings.Contains(string(r.Result), "password") {
				t.Fatalf("filter(%v): %s %+v", q, r.Result, r.Error)
			}
		}
		for _, key := range []string{"api_password", "api_password__startswith", "API_PASSWORD__isnull"} {
			c.fault(t, CodeInvalidRequest, "Invalid request: Unsupported field", "BugTracker.filter", map[string]any{key: "s3"})
		}
		if strings.Contains(logged.String(), secret) || !strings.Contains(logged.String(), "BugTracker.create") {
			t.Fatalf("the log should show the calls and never the password:\n%s", logged.String())
		}
	})
	t.Run("ErrBadInput", func(t *testing.T) {
		c.fault(t, CodeInternal, "Internal error: [('name', ['This field is required.']), ('tracker_type', ['This field is required.'])]",
			"BugTracker.create", map[string]any{"api_password": "x"})
		c.fault(t, CodeInternal, "Internal error: [('name', ['Bug tracker with this Name already exists.'])]",
			"BugTracker.create", map[string]any{"name": "JIRA", "tracker_type": "x"})
		c.fault(t, CodeInternal, "Internal error: [('api_password', ['Ensure this value has at most 256 characters (it has 257).'])]",
			"BugTracker.create", map[string]any{"name": "Long", "tracker_type": "x", "api_password": strings.Repeat("p", 257)})
		c.fault(t, CodeInternal, "Internal error: Cannot resolve keyword 'nope' into field.", "BugTracker.filter", map[string]any{"nope": 1})
		c.fault(t, CodeInvalidParams, "Invalid parameters: ", "BugTracker.filter")
		if got, _ := ts.Store.FilterBugTrackers(t.Context(), map[string]any{"name": "Long"}); len(got) != 0 {
			t.Fatal("a refused create wrote a row")
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		c.empty(t, "BugTracker.filter", map[string]any{"pk": 999999})
	})
	t.Run("ErrNoPermission", func(t *testing.T) {
		n := ts.nobody(t)
		n.refused(t, "testcases.view_bugsystem", "BugTracker.filter", map[string]any{})
		n.refused(t, "testcases.add_bugsystem", "BugTracker.create", map[string]any{"name": "Sneaky", "tracker_type": "x"})
		if got, _ := ts.Store.FilterBugTrackers(t.Context(), map[string]any{"name": "Sneaky"}); len(got) != 0 {
			t.Fatal("the refused create wrote a row")
		}
	})
}
