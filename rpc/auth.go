package rpc

import (
	"net/http"
	"time"

	"github.com/tcms/tcms/rpc/internal/dispatch"
	"github.com/tcms/tcms/rpc/internal/session"
	"github.com/tcms/tcms/store"
)

// Auth is the Auth namespace: log in and out, and manage API tokens.
type Auth struct{ s *Server }

var authMethods = []Method{
	{Name: "Auth.login", Access: Anonymous, Returns: "string",
		Doc: "Checks the username and password, starts a session, sets the sessionid cookie and returns the session token (also usable as Authorization: Bearer <token>)."},
	{Name: "Auth.logout", Access: Anonymous, Returns: "nil",
		Doc: "Ends the caller's session; its token and cookie stop working at once."},
	{Name: "Auth.create_token", Access: Login, Returns: "struct",
		Doc: "Creates an API token for the caller, expiring after expires_in_days (0 or absent: never, at most 3650), and returns {id, name, token, created_at, expires_at}. The token is shown only here; send it as Authorization: Bearer <token> or as the HTTP Basic password."},
	{Name: "Auth.tokens", Access: Login, Returns: "array",
		Doc: "Lists the caller's API tokens by id as {id, name, created_at, expires_at, last_used_at}, never the token itself; last_used_at may lag by a few minutes."},
	{Name: "Auth.revoke_token", Access: Login, Returns: "nil",
		Doc: "Revokes one of the caller's API tokens; it stops working within a second on every server."},
}

// LoginArgs are the parameters of Auth.login.
type LoginArgs struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// Login answers Auth.login.
func (a *Auth) Login(r *http.Request, args *LoginArgs, reply *string) error {
	if args.Username == "" || args.Password == "" {
		return store.Errorf(store.Invalid, "Username and password is required")
	}
	u, err := a.s.store.Authenticate(store.WithClientAddress(r.Context(), session.ClientAddress(r)), args.Username, args.Password)
	if err != nil {
		return err
	}
	token, id, err := a.s.sessions.Issue(r.Context(), u.ID)
	if err != nil {
		return err
	}
	// Later calls of the same request (system.multicall) run as this user.
	st := dispatch.StateOf(r)
	st.Who, st.Session = &store.Principal{UserID: u.ID, Username: u.Username, IsSuperuser: u.IsSuperuser}, id
	a.s.sessions.SetCookie(st.W, r, token)
	*reply = token
	return nil
}

// Logout answers Auth.logout.
func (a *Auth) Logout(r *http.Request, _ *NoArgs, _ *any) error {
	st := dispatch.StateOf(r)
	if st.Session != "" {
		if err := a.s.store.EndSession(r.Context(), st.Session); err != nil {
			return err
		}
	}
	st.Who, st.Session = nil, ""
	a.s.sessions.SetCookie(st.W, r, "")
	return nil
}

// maxTokenDays bounds a token's lifetime: ten years, for "never" with an
// end.
const maxTokenDays = 3650

// CreateTokenArgs are the parameters of Auth.create_token.
type CreateTokenArgs struct {
	Name          string `json:"name"`
	ExpiresInDays int    `json:"expires_in_days" rpc:"optional"`
}

// CreatedToken is Auth.create_token's reply: the one time the token is shown.
type CreatedToken struct {
	ID        int64      `json:"id"`
	Name      string     `json:"name"`
	Token     string     `json:"token"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt *time.Time `json:"expires_at"`
}

// TokenInfo is an API token in Auth.tokens.
type TokenInfo struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  *time.Time `json:"expires_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
}

// CreateToken answers Auth.create_token.
func (a *Auth) CreateToken(r *http.Request, args *CreateTokenArgs, reply *CreatedToken) error {
	return createToken(r, a.s, nil, args.Name, args.ExpiresInDays, reply)
}

// Tokens answers Auth.tokens.
func (a *Auth) Tokens(r *http.Request, _ *NoArgs, reply *[]TokenInfo) error {
	return listTokens(r, a.s, nil, reply)
}

// RevokeTokenArgs are the parameters of Auth.revoke_token. The parameter
// is "id", not "token_id": keyword arguments containing "token" are
// refused as secrets, as Kiwi refuses them.
type RevokeTokenArgs struct {
	TokenID int64 `json:"id"`
}

// RevokeToken answers Auth.revoke_token.
func (a *Auth) RevokeToken(r *http.Request, args *RevokeTokenArgs, _ *any) error {
	return a.s.store.RevokeToken(r.Context(), *caller(r), nil, args.TokenID)
}
