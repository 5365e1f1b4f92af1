package rpc

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tcms/tcms/store/storetest"
)

func TestAuthLogin(t *testing.T) {
	ts := mustServer(t)

	t.Run("OK", func(t *testing.T) {
		resp, text := ts.post("/json-rpc/", "application/json",
			`{"jsonrpc":"2.0","method":"Auth.login","params":["admin","admin-pass-1"],"id":7}`)
		var r jsonResponse
		json.Unmarshal([]byte(text), &r)
		var token string
		if err := json.Unmarshal(r.Result, &token); err != nil || strings.Count(token, ".") != 2 {
			t.Fatalf("want a JWT, got %s", text)
		}
		var cookie *http.Cookie
		for _, c := range resp.Cookies() {
			if c.Name == "sessionid" {
				cookie = c
			}
		}
		if cookie == nil || cookie.Value != token || !cookie.HttpOnly || cookie.Secure || cookie.MaxAge != 86400 {
			t.Fatalf("want HttpOnly sessionid cookie holding the token, got %+v", resp.Header["Set-Cookie"])
		}
	})
	t.Run("ErrWrongPassword", func(t *testing.T) {
		wantFault(t, ts.jsonCall("Auth.login", []any{adminName, "nope"}), CodeInternal, "Internal error: Wrong username or password")
	})
	t.Run("ErrUnknownUser", func(t *testing.T) {
		wantFault(t, ts.jsonCall("Auth.login", []any{"ghost", "x"}), CodeInternal, "Internal error: Wrong username or password")
	})
	t.Run("ErrEmpty", func(t *testing.T) {
		wantFault(t, ts.jsonCall("Auth.login", []any{"", ""}), CodeInternal, "Internal error: Username and password is required")
		wantFault(t, ts.jsonCall("Auth.login", []any{nil, nil}), CodeInternal, "Internal error: Username and password is required")
	})
	t.Run("ErrParams", func(t *testing.T) {
		wantFault(t, ts.jsonCall("Auth.login", []any{adminName}), CodeInvalidParams, "Invalid parameters: expected 2 parameters, got 1")
		wantFault(t, ts.jsonCall("Auth.login", []any{adminName, 5}), CodeInvalidParams, `Invalid parameters: password: expected a string, got 5`)
	})
}

func TestSessionKinds(t *testing.T) {
	ts := mustServer(t)
	token := ts.login(adminName, adminPass)
	version := func(header ...string) jsonResponse { return ts.jsonCall("KiwiTCMS.version", nil, header...) }

	t.Run("Cookie", func(t *testing.T) {
		r := version("Cookie", "sessionid="+token)
		if r.Error != nil || string(r.Result) != `"16.2"` {
			t.Fatalf("got %+v %s", r.Error, r.Result)
		}
	})
	t.Run("Bearer", func(t *testing.T) {
		if r := version("Authorization", "Bearer "+token); r.Error != nil {
			t.Fatal(r.Error.Message)
		}
	})
	t.Run("Basic", func(t *testing.T) {
		for i := 0; i < 2; i++ { // the second call is answered from the credential cache
			req, _ := http.NewRequest("POST", ts.URL+"/json-rpc/", strings.NewReader(`{"jsonrpc":"2.0","method":"KiwiTCMS.version","id":1}`))
			req.Header.Set("Content-Type", "application/json")
			req.SetBasicAuth(userName, userPass)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var r jsonResponse
			json.NewDecoder(resp.Body).Decode(&r)
			resp.Body.Close()
			if r.Error != nil {
				t.Fatal(r.Error.Message)
			}
		}
	})
	t.Run("ErrAnonymous", func(t *testing.T) {
		wantFault(t, version(), CodeAuth, `Authentication failed when calling "KiwiTCMS.version"`)
	})
	t.Run("ErrForgedToken", func(t *testing.T) {
		parts := strings.Split(token, ".")
		forged := parts[0] + "." + parts[1] + "." + strings.Repeat("A", len(parts[2]))
		wantFault(t, version("Authorization", "Bearer "+forged), CodeAuth, `Authentication failed when calling "KiwiTCMS.version"`)
		wantFault(t, version("Authorization", "Bearer garbage"), CodeAuth, `Authentication failed`)
	})
	t.Run("ErrWrongBasic", func(t *testing.T) {
		req, _ := http.NewRequest("POST", ts.URL+"/json-rpc/", strings.NewReader(`{"jsonrpc":"2.0","method":"KiwiTCMS.version","id":1}`))
		req.Header.Set("Content-Type", "application/json")
		req.SetBasicAuth(userName, "wrong")
		resp, _ := http.DefaultClient.Do(req)
		var r jsonResponse
		json.NewDecoder(resp.Body).Decode(&r)
		resp.Body.Close()
		wantFault(t, r, CodeAuth, `Authentication failed`)
	})
}

func TestLogout(t *testing.T) {
	ts := mustServer(t)
	token := ts.login(userName, userPass)
	bearer := []string{"Authorization", "Bearer " + token}
	if r := ts.jsonCall("KiwiTCMS.version", nil, bearer...); r.Error != nil {
		t.Fatal(r.Error.Message)
	}
	if r := ts.jsonCall("Auth.logout", nil, bearer...); r.Error != nil || string(r.Result) != "null" {
		t.Fatalf("logout: %+v %s", r.Error, r.Result)
	}
	wantFault(t, ts.jsonCall("KiwiTCMS.version", nil, bearer...), CodeAuth, `Authentication failed when calling "KiwiTCMS.version"`)
	// Logging out without a session is harmless.
	if r := ts.jsonCall("Auth.logout", nil); r.Error != nil {
		t.Fatal(r.Error.Message)
	}
}

func TestInactiveUser(t *testing.T) {
	ts := mustServer(t)
	token := ts.login(userName, userPass)
	u, err := ts.Store.Authenticate(t.Context(), userName, userPass)
	if err != nil {
		t.Fatal(err)
	}
	if err := storetest.SetActive(t.Context(), ts.Store, u.ID, false); err != nil {
		t.Fatal(err)
	}
	// The change reaches the cache through NOTIFY: within a second.
	deadline := time.Now().Add(time.Second)
	for {
		r := ts.jsonCall("KiwiTCMS.version", nil, "Authorization", "Bearer "+token)
		if r.Error != nil {
			wantFault(t, r, CodeAuth, `Authentication failed`)
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("session of a deactivated user still works after 1s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	wantFault(t, ts.jsonCall("Auth.login", []any{userName, userPass}), CodeInternal, "Internal error: Wrong username or password")
}
