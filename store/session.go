package store

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"maps"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tcms/tcms/store/internal/db"
)

// Principal is who is calling.
type Principal struct {
	UserID      int64
	Username    string
	IsSuperuser bool
	// Tenant is the schema of the only tenant a session issued for one
	// tenant (Auth.exchange_oidc) is valid in; "" for any.
	Tenant string
}

// errSessionExpired answers for every session that is not live.
var errSessionExpired = &Error{Kind: Unauthenticated, Message: "session expired"}

// errSessionElsewhere answers for a session used outside the only tenant
// it is valid in.
var errSessionElsewhere = &Error{Kind: Unauthenticated, Message: "the session is valid only at its tenant's address"}

// CreateSession stores a new session for the user, live until expires, and
// returns its key: 32 random characters from [a-z0-9], as Django's.
func (s *Store) CreateSession(ctx context.Context, userID int64, expires time.Time) (string, error) {
	return s.CreateBoundSession(ctx, userID, nil, expires)
}

// CreateBoundSession is CreateSession for a session valid only in the
// tenant with id tenantID (nil: anywhere its user may work). At any other
// address SessionPrincipal does not know it.
func (s *Store) CreateBoundSession(ctx context.Context, userID int64, tenantID *int64, expires time.Time) (string, error) {
	id := newSessionKey()
	err := s.q.SessionCreate(ctx, db.SessionCreateParams{ID: id, UserID: userID, Now: time.Now(), ExpiresAt: expires, TenantID: tenantID})
	if err != nil {
		return "", translate(err, "Session")
	}
	return id, nil
}

// EndSession ends a session; ending an ended or unknown one is no error.
// It notifies even when nothing changed, which also repairs any process
// that still caches the session.
func (s *Store) EndSession(ctx context.Context, sessionID string) error {
	now := time.Now()
	err := s.q.SessionRevoke(ctx, db.SessionRevokeParams{ID: sessionID, Now: now, Payload: sessionPayload(sessionID)})
	if err != nil {
		return translate(err, "Session")
	}
	s.cache.apply(sessionPayload(sessionID))
	return nil
}

// SessionPrincipal returns the principal of a live session: not ended, not
// expired, its user active, and used in the context's tenant if it is
// valid in one tenant only. Anything else is Unauthenticated. Once
// looked up, a session is answered from memory until it expires or a
// notification drops it.
func (s *Store) SessionPrincipal(ctx context.Context, sessionID string) (Principal, error) {
	p, err := s.sessionPrincipal(ctx, sessionID)
	if err == nil && p.Tenant != "" && p.Tenant != TenantOf(ctx) {
		return Principal{}, errSessionElsewhere
	}
	return p, err
}

func (s *Store) sessionPrincipal(ctx context.Context, sessionID string) (Principal, error) {
	now := time.Now()
	p, gen, ok := lookup(s.cache, s.cache.sessions, sessionID, now)
	if ok {
		return p, nil
	}
	row, err := s.q.SessionPrincipal(ctx, db.SessionPrincipalParams{ID: sessionID, Now: now})
	if errors.Is(err, pgx.ErrNoRows) {
		return Principal{}, errSessionExpired
	}
	if err != nil {
		return Principal{}, translate(err, "Session")
	}
	p = Principal{UserID: row.ID, Username: row.Username, IsSuperuser: row.IsSuperuser}
	if row.Tenant != nil {
		p.Tenant = *row.Tenant
	}
	put(s.cache, s.cache.sessions, sessionID, cached{p: p, expires: row.ExpiresAt}, gen)
	return p, nil
}

// basicTTL bounds how long verified HTTP Basic credentials are trusted
// without asking the database again.
const basicTTL = 5 * time.Minute

// BasicPrincipal authenticates HTTP Basic credentials, with Authenticate's
// errors. Clients send them on every call, so after one slow hash the
// verified pair is remembered for basicTTL under an HMAC of it, never the
// password itself, and dropped when the user changes. An API token works
// as the password of its own user.
func (s *Store) BasicPrincipal(ctx context.Context, username, password string) (Principal, error) {
	if IsToken(password) {
		p, err := s.TokenPrincipal(ctx, password)
		if err != nil || p.Username != username {
			return Principal{}, errWrongCredentials
		}
		return p, nil
	}
	now := time.Now()
	key := s.cache.basicKey(username, password)
	p, gen, ok := lookup(s.cache, s.cache.basic, key, now)
	if ok {
		return p, nil
	}
	u, err := s.Authenticate(ctx, username, password)
	if err != nil {
		return Principal{}, err
	}
	p = Principal{UserID: u.ID, Username: u.Username, IsSuperuser: u.IsSuperuser}
	put(s.cache, s.cache.basic, key, cached{p: p, expires: now.Add(basicTTL)}, gen)
	return p, nil
}

// newSessionKey returns 32 characters from [a-z0-9] without modulo bias.
func newSessionKey() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	key := make([]byte, 0, 32)
	buf := make([]byte, 48)
	for len(key) < cap(key) {
		rand.Read(buf)
		for _, b := range buf {
			// 252 is the largest multiple of 36 below 256.
			if b < 252 && len(key) < cap(key) {
				key = append(key, alphabet[b%36])
			}
		}
	}
	return string(key)
}

func sessionPayload(id string) string { return "s:" + id }

// maxCached bounds each cache map; a full map first loses its expired
// entries, then everything.
const maxCached = 100_000

// authCache holds live sessions, verified Basic credentials and API
// tokens (keyed by their hash). It is only
// trusted while the listener is connected (live): a notification missed
// while it was down could leave a revoked session usable.
type authCache struct {
	mu       sync.Mutex
	live     bool
	gen      uint64 // bumped by every invalidation; see put
	hmacKey  []byte // per process, so the cache keys mean nothing elsewhere
	sessions map[string]cached
	basic    map[[sha256.Size]byte]cached
	perms    map[permKey]cachedPerms // effective permission sets by tenant and user
	tenants  map[string]cachedTenant // TenantFor answers
	tokens   map[[sha256.Size]byte]cached
}

type cached struct {
	p       Principal
	expires time.Time
	tokenID int64 // API token entries only
}

func newAuthCache() *authCache {
	c := &authCache{hmacKey: make([]byte, 32), sessions: map[string]cached{},
		basic: map[[sha256.Size]byte]cached{}, tokens: map[[sha256.Size]byte]cached{}, perms: map[permKey]cachedPerms{},
		tenants: map[string]cachedTenant{}}
	rand.Read(c.hmacKey)
	return c
}

func (c *authCache) basicKey(username, password string) [sha256.Size]byte {
	m := hmac.New(sha256.New, c.hmacKey)
	m.Write([]byte(username + "\x00" + password))
	return [sha256.Size]byte(m.Sum(nil))
}

// lookup returns the cached principal under k if it has not expired, and
// otherwise the generation to hand to put after asking the database.
func lookup[K comparable](c *authCache, m map[K]cached, k K, now time.Time) (Principal, uint64, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := m[k]
	if ok && now.Before(e.expires) {
		return e.p, c.gen, true
	}
	return Principal{}, c.gen, false
}

// put caches e unless an invalidation arrived since lookup returned gen:
// the database answer may predate it, and caching it would undo it.
func put[K comparable](c *authCache, m map[K]cached, k K, e cached, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.live || gen != c.gen {
		return
	}
	if len(m) >= maxCached {
		now := time.Now()
		maps.DeleteFunc(m, func(_ K, e cached) bool { return !now.Before(e.expires) })
		if len(m) >= maxCached {
			clear(m)
		}
	}
	m[k] = e
}

// apply drops what a notification payload invalidates. An unknown payload
// drops everything, which is always safe.
func (c *authCache) apply(payload string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	if id, ok := strings.CutPrefix(payload, "s:"); ok {
		delete(c.sessions, id)
		return
	}
	if payload == permsPayload {
		clear(c.perms)
		clear(c.tenants)
		// A removed tenant's sessions are gone with it; a new tenant of
		// the same name must not inherit them from the cache.
		maps.DeleteFunc(c.sessions, func(_ string, e cached) bool { return e.p.Tenant != "" })
		return
	}
	if v, ok := strings.CutPrefix(payload, "t:"); ok {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil {
			maps.DeleteFunc(c.tokens, func(_ [sha256.Size]byte, e cached) bool { return e.tokenID == id })
			return
		}
	}
	if v, ok := strings.CutPrefix(payload, "u:"); ok {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil {
			maps.DeleteFunc(c.sessions, func(_ string, e cached) bool { return e.p.UserID == id })
			maps.DeleteFunc(c.basic, func(_ [sha256.Size]byte, e cached) bool { return e.p.UserID == id })
			maps.DeleteFunc(c.perms, func(k permKey, _ cachedPerms) bool { return k.user == id })
			maps.DeleteFunc(c.tokens, func(_ [sha256.Size]byte, e cached) bool { return e.p.UserID == id })
			return
		}
	}
	c.clear()
}

func (c *authCache) clear() {
	clear(c.sessions)
	clear(c.basic)
	clear(c.perms)
	clear(c.tenants)
	clear(c.tokens)
}

// setLive switches the cache on when the listener is connected and off,
// empty, when it is not.
func (c *authCache) setLive(live bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.live = live
	c.clear()
}

// listenConn opens the listener's own connection (not the pool's: it is
// held for the life of the Store) and switches the cache on.
func (s *Store) listenConn(ctx context.Context) (*pgx.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, listenConnectTimeout)
	defer cancel()
	conn, err := pgx.ConnectConfig(ctx, s.pool.Config().ConnConfig)
	if err != nil {
		return nil, err
	}
	if err := db.New(conn).AuthListen(ctx); err != nil {
		conn.Close(context.Background())
		return nil, err
	}
	s.cache.setLive(true)
	return conn, nil
}

// listenConnectTimeout bounds one attempt to (re)connect the listener, so
// that an unanswering host does not hold it for the operating system's
// TCP timeout.
const listenConnectTimeout = 10 * time.Second

// listen applies notifications until ctx ends. When the connection fails it
// switches the cache off and reconnects, at once and then waiting at most a
// second between attempts so that caching resumes soon. The listener is
// also the store's probe of the database: when the first attempt fails, the
// store is marked unavailable until one succeeds.
func (s *Store) listen(ctx context.Context, conn *pgx.Conn) {
	defer close(s.done)
	const minDelay, maxDelay = 50 * time.Millisecond, time.Second
	for {
		err := s.receive(ctx, conn)
		s.cache.setLive(false)
		conn.Close(context.Background())
		if ctx.Err() != nil {
			return
		}
		s.log.Warn("store: notification listener lost, caching off until it reconnects", "err", err)
		for delay := time.Duration(0); ; delay = min(max(2*delay, minDelay), maxDelay) {
			select {
			case <-ctx.Done():
				return
			case <-time.After(delay):
			}
			if conn, err = s.listenConn(ctx); err == nil {
				break
			}
			if !s.down.Swap(true) {
				s.log.Error("store: database unavailable; calls fail until it answers again", "err", err)
			}
		}
		if s.down.Swap(false) {
			s.log.Info("store: database available again")
		}
	}
}

func (s *Store) receive(ctx context.Context, conn *pgx.Conn) error {
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		s.cache.apply(n.Payload)
	}
}
