// Package session finds out who is calling: the sessionid cookie or a
// Bearer token (a session JWT or an API token), or HTTP Basic credentials.
// It issues the session tokens, and names the client address logins are
// throttled under.
package session

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/tcms/tcms/store"
)

// Cookie is the name of the session cookie Kiwi TCMS clients replay.
const Cookie = "sessionid"

// Manager issues and checks session tokens: HS256 JWTs whose ID is a
// session row, so that a session can be ended before it expires.
type Manager struct {
	store    *store.Store
	secret   []byte
	ttl      time.Duration
	verified tokenCache // tokens whose signature was checked
}

// New is a manager whose tokens are signed with secret and last ttl.
func New(st *store.Store, secret []byte, ttl time.Duration) *Manager {
	return &Manager{store: st, secret: secret, ttl: ttl}
}

// tokenCache remembers the session id and expiry of tokens whose
// signature checked out, so that a client replaying its token on every
// call costs one map lookup instead of an HMAC and a JSON decode. The
// session itself is still checked on every call (store.SessionPrincipal,
// cached and invalidated by the store).
type tokenCache struct {
	mu sync.Mutex
	m  map[string]verifiedToken
}

type verifiedToken struct {
	id  string
	exp time.Time
}

// maxVerifiedTokens bounds the cache; when full it starts over.
const maxVerifiedTokens = 10000

func (c *tokenCache) get(token string, now time.Time) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[token]
	if !ok || !now.Before(v.exp) {
		return "", false
	}
	return v.id, true
}

func (c *tokenCache) put(token, id string, exp time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxVerifiedTokens {
		c.m = make(map[string]verifiedToken)
	}
	c.m[token] = verifiedToken{id, exp}
}

// Issue starts a session for the user and returns its token and id.
func (m *Manager) Issue(ctx context.Context, userID int64) (token, id string, err error) {
	token, id, _, err = m.IssueFor(ctx, userID, m.ttl, nil)
	return token, id, err
}

// IssueFor is Issue for a session that lasts at most maxTTL (and never
// longer than the configured lifetime) and, with a tenantID, is valid in
// that tenant only. It also returns when the session expires.
func (m *Manager) IssueFor(ctx context.Context, userID int64, maxTTL time.Duration, tenantID *int64) (token, id string, exp time.Time, err error) {
	now := time.Now()
	exp = now.Add(min(m.ttl, maxTTL))
	id, err = m.store.CreateBoundSession(ctx, userID, tenantID, exp)
	if err != nil {
		return "", "", exp, err
	}
	claims := jwt.RegisteredClaims{
		ID:        id,
		Subject:   strconv.FormatInt(userID, 10),
		IssuedAt:  jwt.NewNumericDate(now),
		ExpiresAt: jwt.NewNumericDate(exp),
	}
	token, err = jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(m.secret)
	return token, id, exp, err
}

var jwtParser = jwt.NewParser(jwt.WithValidMethods([]string{"HS256"}), jwt.WithExpirationRequired())

// principal checks a token and returns its live session's principal, nil
// for a token that is not one, or the error that kept it from checking.
func (m *Manager) principal(ctx context.Context, token string) (*store.Principal, string, error) {
	id, ok := m.verified.get(token, time.Now())
	if !ok {
		var claims jwt.RegisteredClaims
		_, err := jwtParser.ParseWithClaims(token, &claims, func(*jwt.Token) (any, error) { return m.secret, nil })
		if err != nil || claims.ID == "" {
			return nil, "", nil
		}
		id = claims.ID
		m.verified.put(token, id, claims.ExpiresAt.Time)
	}
	p, err := m.store.SessionPrincipal(ctx, id)
	if err != nil {
		return nil, "", failure(err)
	}
	return &p, id, nil
}

// failure is nil for an error that only says the credentials are no
// good, and err for one that kept them from being checked (the database
// unavailable): the caller must hear that, not be taken for anonymous.
func failure(err error) error {
	if k := store.ErrorKind(err); k == store.Internal || k == store.Unavailable {
		return err
	}
	return nil
}

// Identify finds who is calling: the sessionid cookie, a Bearer token (a
// session JWT or an API token), or HTTP Basic credentials. Anything
// missing, invalid, expired or ended makes the caller anonymous, as in
// Kiwi TCMS; the methods that need a login then refuse, with why as the
// reason if it is not the usual one. err is set when the credentials could
// not be checked at all.
func (m *Manager) Identify(r *http.Request) (who *store.Principal, session, why string, err error) {
	ctx := r.Context()
	if c, err := r.Cookie(Cookie); err == nil && c.Value != "" {
		if p, id, err := m.principal(ctx, c.Value); p != nil || err != nil {
			return p, id, "", err
		}
	}
	auth := r.Header.Get("Authorization")
	if token, ok := strings.CutPrefix(auth, "Bearer "); ok {
		token = strings.TrimSpace(token)
		if store.IsToken(token) {
			p, err := m.store.TokenPrincipal(ctx, token)
			if err != nil {
				return nil, "", "", failure(err)
			}
			return &p, "", "", nil
		}
		p, id, err := m.principal(ctx, token)
		return p, id, "", err
	}
	if user, pass, ok := r.BasicAuth(); ok {
		p, err := m.store.BasicPrincipal(store.WithClientAddress(ctx, ClientAddress(r)), user, pass)
		if err != nil {
			if err := failure(err); err != nil {
				return nil, "", "", err
			}
			// wrong or throttled, never a driver's text
			return nil, "", "login required: HTTP Basic credentials refused: " + err.Error(), nil
		}
		return &p, "", "", nil
	}
	return nil, "", "", nil
}

// SetCookie sends the session cookie (Secure only over HTTPS); an empty
// token expires it.
func (m *Manager) SetCookie(w http.ResponseWriter, r *http.Request, token string) {
	maxAge := int(m.ttl.Seconds())
	if token == "" {
		maxAge = -1
	}
	http.SetCookie(w, &http.Cookie{
		Name: Cookie, Value: token, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode,
	})
}
