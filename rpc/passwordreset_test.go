package rpc

import (
	"fmt"
	"strings"
	"testing"

	"github.com/tcms/tcms/store"
)

func TestPasswordReset(t *testing.T) {
	mails := newMailbox()
	ts := mustServerWith(t, func(c *Config) { c.SendMail = mails.send })
	conn := ts.mustDB()
	anon := ts.at("", "", "")
	session := ts.login(userName, userPass)

	t.Run("OK", func(t *testing.T) {
		var reply any = "unset"
		result(t, anon("Auth.request_password_reset", "Tester@Example.com"), &reply)
		if reply != nil {
			t.Fatalf("reply %v", reply)
		}
		mail := mails.wait(t)
		if !strings.HasPrefix(mail, "Tester@Example.com Subject: Password reset for tester") {
			t.Fatalf("mail %q", mail)
		}
		token := tokenIn(t, mail, store.ResetPrefix)
		result(t, anon("Auth.reset_password", token, "new-pass-1"), new(any))
		if r := ts.basicCall(userName, "new-pass-1"); r.Error != nil {
			t.Fatalf("new password: %s", r.Error.Message)
		}
		wantFault(t, ts.basicCall(userName, userPass), CodeAuth, "Authentication failed")
		wantFault(t, ts.jsonCall("KiwiTCMS.version", nil, "Authorization", "Bearer "+session), CodeAuth, "Authentication failed")
		// Once only.
		wantFault(t, anon("Auth.reset_password", token, "again-pass-1"), CodeInternal, "Internal error: Invalid password reset token; request a new one.")
		var stored int
		conn.QueryRow(t.Context(), "SELECT count(*) FROM password_resets").Scan(&stored)
		if stored != 0 {
			t.Fatal("a used token stays")
		}
	})
	t.Run("OKSameReplyForUnknownAddress", func(t *testing.T) {
		before := mails.count()
		var reply any = "unset"
		result(t, anon("Auth.request_password_reset", "nobody@example.com"), &reply)
		if reply != nil {
			t.Fatalf("reply %v", reply)
		}
		// An inactive account gets nothing either.
		result(t, ts.at("", adminName, adminPass)("User.deactivate", map[string]any{"username": userName}), new(any))
		result(t, anon("Auth.request_password_reset", "tester@example.com"), &reply)
		ts.srv.later.Wait() // tokens are made and mailed after the reply
		result(t, ts.at("", adminName, adminPass)("User.update", 2, map[string]any{"is_active": true}), new(any))
		if mails.count() != before {
			t.Fatalf("mailed: %q", mails.sent[before:])
		}
	})
	t.Run("OKXMLRPC", func(t *testing.T) {
		c := ts.xmlClient()
		if err := c.Call("Auth.request_password_reset", []any{"admin@example.com"}, nil); err != nil {
			t.Fatal(err)
		}
		token := tokenIn(t, mails.wait(t), store.ResetPrefix)
		if err := c.Call("Auth.reset_password", []any{token, "admin-pass-2"}, nil); err != nil {
			t.Fatal(err)
		}
		if r := ts.basicCall(adminName, "admin-pass-2"); r.Error != nil {
			t.Fatal(r.Error.Message)
		}
		wantXMLFault(t, c.Call("Auth.reset_password", []any{token, "x"}, nil), CodeInternal, "Internal error: Invalid password reset token; request a new one.")
	})
	t.Run("ErrExpired", func(t *testing.T) {
		result(t, anon("Auth.request_password_reset", "tester@example.com"), new(any))
		token := tokenIn(t, mails.wait(t), store.ResetPrefix)
		mustExec(t, conn, "UPDATE password_resets SET expires_at = now() - interval '1 second'")
		wantFault(t, anon("Auth.reset_password", token, "x-pass-1"), CodeInternal, "Internal error: This password reset token expired; request a new one.")
		wantFault(t, ts.basicCall(userName, "x-pass-1"), CodeAuth, "Authentication failed")
	})
	t.Run("ErrInput", func(t *testing.T) {
		for _, c := range []struct {
			method string
			params []any
			code   int
			msg    string
		}{
			{"Auth.request_password_reset", []any{"not an address"}, CodeInternal, "Internal error: email: Enter a valid email address."},
			{"Auth.request_password_reset", []any{}, CodeInvalidParams, "Invalid parameters: expected 1 parameter, got 0"},
			{"Auth.reset_password", []any{"tcmsrst_" + strings.Repeat("a", 64), "p"}, CodeInternal, "Internal error: Invalid password reset token; request a new one."},
			{"Auth.reset_password", []any{"tcmsinv_" + strings.Repeat("a", 64), "p"}, CodeInternal, "Internal error: Invalid password reset token; request a new one."},
			{"Auth.reset_password", []any{"x", ""}, CodeInternal, "Internal error: new_password: This field is required."},
		} {
			wantFault(t, anon(c.method, c.params...), c.code, c.msg)
		}
	})
	t.Run("ErrThrottled", func(t *testing.T) {
		// Someone asking for resets of another's address over and over:
		// after ten (TCMS_LOGIN_FAILURES_PER_USER) the address is throttled,
		// from everywhere, whether it has an account or not.
		if _, err := ts.Store.CreateUser(t.Context(), store.System, store.NewUser{Username: "victim", Email: "victim@example.com", Password: "victim-pass-1"}); err != nil {
			t.Fatal(err)
		}
		for _, email := range []string{"victim@example.com", "ghost@example.com"} {
			for i := range 10 {
				result(t, ts.from(fmt.Sprintf("192.0.2.%d:1", i+1), "")("Auth.request_password_reset", email), new(any))
			}
			wantFault(t, ts.from("192.0.2.50:1", "")("Auth.request_password_reset", email), CodeInternal, "Internal error: Too many password reset requests; try again in ")
		}
	})
}
