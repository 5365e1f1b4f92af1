package rpc

import (
	"net/http"
	"os"
	"strings"
	"testing"
)

// TestPermissionMatrix calls every method that needs a login without one,
// over both protocols, and with no parameters at all: the refusal must
// come before parameters are even looked at.
func TestPermissionMatrix(t *testing.T) {
	ts := mustServer(t)
	for _, name := range ts.srv.methods.names() {
		m := ts.srv.methods[name]
		if m.Access == Anonymous {
			continue
		}
		t.Run(name, func(t *testing.T) {
			want := `Authentication failed when calling "` + name + `"`
			wantFault(t, ts.jsonCall(name, nil), CodeAuth, want)
			f, r := ts.xmlFault(call0(name))
			if f == nil || f.Code != CodeAuth || !strings.HasPrefix(f.String, want) {
				t.Fatalf("XML-RPC: want -32098, got %v %s", f, r)
			}
		})
	}
}

type okService struct{}

func (okService) Ping(*http.Request, *NoArgs, *string) error  { return nil }
func (okService) Other(*http.Request, *NoArgs, *string) error { return nil }

func TestRegistryChecks(t *testing.T) {
	cases := []struct {
		name    string
		methods []Method
		err     string
	}{
		{"ErrUndeclaredHandler", []Method{{Name: "X.ping"}}, "handler X.Other has no declaration"},
		{"ErrNoHandler", []Method{{Name: "X.ping"}, {Name: "X.other"}, {Name: "X.gone"}}, "X.gone has no handler Gone"},
		{"ErrNamespace", []Method{{Name: "Y.ping"}}, `method "Y.ping" is not in namespace "X"`},
		{"ErrPermsWithoutLabels", []Method{{Name: "X.ping", Access: Perms}, {Name: "X.other"}}, "Access Perms goes with a non-empty Perms list"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := registry{}.add(service{"X", okService{}, c.methods})
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Fatalf("want %q, got %v", c.err, err)
			}
		})
	}
	t.Run("OK", func(t *testing.T) {
		reg := registry{}
		if err := reg.add(service{"X", okService{}, []Method{{Name: "X.ping"}, {Name: "X.other", Access: Perms, Perms: []string{"auth.view_user"}}}}); err != nil {
			t.Fatal(err)
		}
		if reg["X.ping"].goName != "X.Ping" {
			t.Fatalf("goName %q", reg["X.ping"].goName)
		}
	})
}

func TestGoMethodName(t *testing.T) {
	for wire, want := range map[string]string{"add_case": "AddCase", "listMethods": "ListMethods", "filter_canonical": "FilterCanonical", "get_cc": "GetCc", "version": "Version"} {
		if got := goMethodName(wire); got != want {
			t.Errorf("%s: want %s, got %s", wire, want, got)
		}
	}
}

// TestAPIDocsFresh fails when docs/api.md no longer matches the registry.
func TestAPIDocsFresh(t *testing.T) {
	want, err := APIReference()
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("../docs/api.md")
	if err != nil || string(got) != want {
		t.Fatal("docs/api.md is stale: run `make docs` and commit it")
	}
}
