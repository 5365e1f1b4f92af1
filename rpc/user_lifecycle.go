package rpc

import (
	"net/http"
	"time"

	"github.com/tcms/tcms/store"
)

// The end of an account and tokens for accounts that do not log in (bots):
// docs/permissions.md#account-lifecycle.

var userLifecycleMethods = []Method{
	{Name: "User.remove", Access: Perms, Perms: []string{"auth.delete_user"}, Global: true, Returns: "nil",
		Doc: "Removes an account (id or username) for good: its sessions, tokens, memberships, grants and tenant authorisations go. Test plans and cases it authored, runs it manages, bugs it reported and files it attached stay, handed to the account \"(removed user)\"; default tester, reviewer, assignee, tested_by, comment authors and component owners that named it are emptied. Refused for the last active superuser, a tenant's owner, and superusers unless the caller is one."},
	{Name: "User.create_token", Access: Perms, Perms: []string{"auth.change_user"}, Global: true, Returns: "struct",
		Doc: "Creates an API token for another account (id or username), such as a bot's, as Auth.create_token does for the caller: {id, name, token, created_at, expires_at}, the token shown only here. The caller must hold every label the account holds, globally and in every tenant it works in (a token acts as the account)."},
	{Name: "User.tokens", Access: Perms, Perms: []string{"auth.change_user"}, Global: true, Returns: "array",
		Doc: "Lists another account's API tokens as Auth.tokens does, never the tokens themselves; the caller must hold every label the account holds."},
	{Name: "User.revoke_token", Access: Perms, Perms: []string{"auth.change_user"}, Global: true, Returns: "nil",
		Doc: "Revokes one of another account's API tokens (by its id, the parameter \"id\"); the caller must hold every label the account holds."},
}

// Remove answers User.remove.
func (u *User) Remove(r *http.Request, args *UserRefArgs, _ *any) error {
	if _, err := refs("user_id", args.UserID); err != nil {
		return err
	}
	return u.s.store.RemoveUser(r.Context(), *caller(r), args.UserID)
}

// UserCreateTokenArgs are the parameters of User.create_token.
type UserCreateTokenArgs struct {
	User          any    `json:"user"`
	Name          string `json:"name"`
	ExpiresInDays int    `json:"expires_in_days" rpc:"optional"`
}

// CreateToken answers User.create_token.
func (u *User) CreateToken(r *http.Request, args *UserCreateTokenArgs, reply *CreatedToken) error {
	if err := oneUser(args.User); err != nil {
		return err
	}
	return createToken(r, u.s, args.User, args.Name, args.ExpiresInDays, reply)
}

// UserTokensArgs are the parameters of User.tokens.
type UserTokensArgs struct {
	User any `json:"user"`
}

// Tokens answers User.tokens.
func (u *User) Tokens(r *http.Request, args *UserTokensArgs, reply *[]TokenInfo) error {
	if err := oneUser(args.User); err != nil {
		return err
	}
	return listTokens(r, u.s, args.User, reply)
}

// UserRevokeTokenArgs are the parameters of User.revoke_token; "id" as in
// Auth.revoke_token.
type UserRevokeTokenArgs struct {
	User    any   `json:"user"`
	TokenID int64 `json:"id"`
}

// RevokeToken answers User.revoke_token.
func (u *User) RevokeToken(r *http.Request, args *UserRevokeTokenArgs, _ *any) error {
	if err := oneUser(args.User); err != nil {
		return err
	}
	return u.s.store.RevokeToken(r.Context(), *caller(r), args.User, args.TokenID)
}

// oneUser refuses a user parameter that is not one id or username.
func oneUser(v any) error {
	switch v.(type) {
	case int64, string:
		return nil
	case nil:
		return store.Errorf(store.Invalid, "user: This field is required.")
	}
	return store.Errorf(store.Invalid, "user: Expected a user id or username.")
}

// createToken makes an API token for user (nil: the caller), checking the
// lifetime, and fills reply; Auth.create_token and User.create_token.
func createToken(r *http.Request, s *Server, user any, name string, days int, reply *CreatedToken) error {
	if days < 0 {
		return store.Errorf(store.Invalid, "expires_in_days: Ensure this value is greater than or equal to 0.")
	}
	if days > maxTokenDays {
		return store.Errorf(store.Invalid, "expires_in_days: Ensure this value is less than or equal to %d.", maxTokenDays)
	}
	var expires *time.Time
	if days > 0 {
		t := time.Now().AddDate(0, 0, days)
		expires = &t
	}
	tok, text, err := s.store.CreateToken(r.Context(), *caller(r), user, name, expires)
	if err != nil {
		return err
	}
	*reply = CreatedToken{ID: tok.ID, Name: tok.Name, Token: text, CreatedAt: tok.CreatedAt, ExpiresAt: tok.ExpiresAt}
	return nil
}

// listTokens lists the API tokens of user (nil: the caller) into reply.
func listTokens(r *http.Request, s *Server, user any, reply *[]TokenInfo) error {
	list, err := s.store.Tokens(r.Context(), *caller(r), user)
	if err != nil {
		return err
	}
	*reply = make([]TokenInfo, len(list))
	for i, t := range list {
		(*reply)[i] = TokenInfo(t)
	}
	return nil
}
