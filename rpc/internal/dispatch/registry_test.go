package dispatch

import (
	"net/http"
	"strings"
	"testing"
)

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
			err := registry{}.add(Service{"X", okService{}, c.methods})
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Fatalf("want %q, got %v", c.err, err)
			}
		})
	}
	t.Run("OK", func(t *testing.T) {
		reg := registry{}
		if err := reg.add(Service{"X", okService{}, []Method{{Name: "X.ping"}, {Name: "X.other", Access: Perms, Perms: []string{"auth.view_user"}}}}); err != nil {
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
