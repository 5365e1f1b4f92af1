package rpc

import (
	"net/http"

	"github.com/tcms/tcms/store"
)

// Auth is the Auth namespace: log in and out.
type Auth struct{ s *Server }

var authMethods = []Method{
	{Name: "Auth.login", Access: Anonymous, Returns: "string",
		Doc: "Checks the username and password, starts a session, sets the sessionid cookie and returns the session token (also usable as Authorization: Bearer <token>)."},
	{Name: "Auth.logout", Access: Anonymous, Returns: "nil",
		Doc: "Ends the caller's session; its token and cookie stop working at once."},
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
	u, err := a.s.store.Authenticate(r.Context(), args.Username, args.Password)
	if err != nil {
		return err
	}
	token, id, err := a.s.sessions.issue(r.Context(), u.ID)
	if err != nil {
		return err
	}
	// Later calls of the same request (system.multicall) run as this user.
	st := stateOf(r)
	st.who, st.session = &store.Principal{UserID: u.ID, Username: u.Username, IsSuperuser: u.IsSuperuser}, id
	a.s.sessions.setCookie(st.w, r, token)
	*reply = token
	return nil
}

// Logout answers Auth.logout.
func (a *Auth) Logout(r *http.Request, _ *NoArgs, _ *any) error {
	st := stateOf(r)
	if st.session != "" {
		if err := a.s.store.EndSession(r.Context(), st.session); err != nil {
			return err
		}
	}
	st.who, st.session = nil, ""
	a.s.sessions.setCookie(st.w, r, "")
	return nil
}
