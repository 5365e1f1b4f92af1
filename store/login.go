package store

import (
	"context"
	"math"
	"runtime"
	"time"

	"github.com/tcms/tcms/store/internal/db"
)

// Logins: every failure answers the same, whether the username is unknown,
// the password wrong, the account inactive or locked out, and each takes one
// password hash, so that neither the text nor the time tells which.
// Failures are counted twice: per account (a lockout after MaxFailures
// wrong passwords in a row) and per client address and (address, username)
// in PostgreSQL, so that every server process sees the same counts. Correct
// passwords are never counted.

// errWrongCredentials is the one answer to every failed login.
var errWrongCredentials = &Error{Kind: Invalid, Message: "Wrong username or password"}

// LoginPolicy says when logins are refused.
type LoginPolicy struct {
	// MaxFailures wrong passwords in a row lock an account for Lockout;
	// <= 0 turns lockout off.
	MaxFailures int
	Lockout     time.Duration
	// PerAddress failed logins from one client address, and PerUser for
	// one username from one address, within Window throttle further
	// attempts from there until the count drains; <= 0: no such limit.
	PerAddress, PerUser int
	Window              time.Duration
}

// DefaultLoginPolicy is what Open starts with; Kiwi TCMS has none. It stops
// online guessing without bothering a user who mistypes, nor a CI farm
// whose runners log in from one address (only failures count).
var DefaultLoginPolicy = LoginPolicy{MaxFailures: 5, Lockout: 15 * time.Minute, PerAddress: 50, PerUser: 10, Window: 15 * time.Minute}

// SetLoginPolicy replaces the login policy.
func (s *Store) SetLoginPolicy(p LoginPolicy) {
	if p.Window <= 0 {
		p.Window = DefaultLoginPolicy.Window
	}
	s.policy.Store(&p)
}

type clientKey struct{}

// WithClientAddress returns a context whose logins are throttled under the
// client address addr (an IP address, or an IPv6 /64). Without one, as in
// commands and tests, only the account lockout applies.
func WithClientAddress(ctx context.Context, addr string) context.Context {
	return context.WithValue(ctx, clientKey{}, addr)
}

// throttle returns LoginBegin's keys and weights for a login attempt.
func (p *LoginPolicy) throttle(ctx context.Context, username string) (keys [2]string, weights [2]float64) {
	addr := addressOf(ctx)
	if addr == "" {
		return keys, weights
	}
	if p.PerAddress > 0 {
		keys[0], weights[0] = "a:"+addr, 1/float64(p.PerAddress)
	}
	if p.PerUser > 0 {
		keys[1], weights[1] = "u:"+addr+" "+username, 1/float64(p.PerUser)
	}
	return keys, weights
}

// errThrottled refuses a login from an address that failed too often.
func errThrottled(wait float64) error {
	return Errorf(Invalid, "Too many failed logins from this address; try again in %d s", max(1, int(math.Ceil(wait))))
}

// Authenticate checks a username (exact match) and password and records
// the login, replacing a Django or outdated hash by a current one. It costs
// two statements and no transaction: LoginBegin takes the attempt (refusing
// a throttled address before any hash), then the hash is checked outside
// any transaction, then LoginSucceeded or UserLoginFailed records the
// outcome. Attempts are counted before the hash, so that concurrent
// guesses cannot outrun the limits.
func (s *Store) Authenticate(ctx context.Context, username, password string) (User, error) {
	now := time.Now()
	policy := s.policy.Load()
	keys, weights := policy.throttle(ctx, username)
	row, err := s.q.LoginBegin(ctx, db.LoginBeginParams{Now: now, WindowSeconds: policy.Window.Seconds(),
		AddressKey: keys[0], AddressWeight: weights[0], UserKey: keys[1], UserWeight: weights[1], Username: username,
		MaxFailures: int32(min(max(policy.MaxFailures, 0), math.MaxInt32))})
	if err != nil {
		return User{}, translate(err, "User")
	}
	if row.Allowed != nil && !*row.Allowed {
		s.log.WarnContext(ctx, "login refused: too many failures from the address", "username", username)
		return User{}, errThrottled(row.WaitSeconds)
	}
	// Every refusal below costs one hash, like a wrong password, so that
	// the time tells nothing either.
	hash := dummyHash()
	if row.ID != nil && usableHash(*row.Password) {
		hash = *row.Password
	}
	ok, rehash, err := s.verify(ctx, hash, password)
	if err != nil {
		return User{}, err
	}
	switch {
	case row.ID == nil:
		return User{}, errWrongCredentials
	case policy.MaxFailures > 0 && row.Attempt == 0:
		// Locked, or as many guesses under way as the lockout allows: those
		// lock it when they fail.
		s.log.WarnContext(ctx, "login refused: account locked", "username", username)
		return User{}, errWrongCredentials
	case !ok || hash != *row.Password:
		return User{}, s.loginFailed(ctx, policy, *row.ID, username, now)
	case !*row.IsActive:
		return User{}, errWrongCredentials
	}
	var newHash *string
	if rehash {
		h, err := s.hash(ctx, password)
		if err != nil {
			return User{}, err
		}
		newHash = &h
	}
	err = s.q.LoginSucceeded(ctx, db.LoginSucceededParams{ID: *row.ID, Now: now, Password: newHash,
		AddressKey: keys[0], AddressWeight: weights[0], UserKey: keys[1], UserWeight: weights[1]})
	if err != nil {
		return User{}, translate(err, "User")
	}
	return User{ID: *row.ID, Username: *row.Username, IsActive: true, IsSuperuser: *row.IsSuperuser, LastLogin: &now}, nil
}

// addressOf returns the context's client address, "" for none.
func addressOf(ctx context.Context) string {
	addr, _ := ctx.Value(clientKey{}).(string)
	return addr
}

// attempt counts one try at something guessable other than a password
// from the context's client address (an invitation or reset token, a
// reset request) as LoginBegin counts a failed login: under keys[0] with
// weight 1/PerAddress and keys[1] with weight 1/PerUser of the login
// policy, keys being left out when their limit is off or, as for logins,
// when there is no client address.
// It refuses, saying what is refused, when either key has no room left;
// refund gives the attempt back once it has succeeded.
func (s *Store) attempt(ctx context.Context, what string, keys [2]string) (refund func(), err error) {
	policy := s.policy.Load()
	var weights [2]float64
	addr := addressOf(ctx)
	for i, limit := range []int{policy.PerAddress, policy.PerUser} {
		if addr == "" || limit <= 0 {
			keys[i] = ""
		} else {
			weights[i] = 1 / float64(limit)
		}
	}
	// No username: LoginBegin looks for none (usernames are never empty).
	row, err := s.q.LoginBegin(ctx, db.LoginBeginParams{Now: time.Now(), WindowSeconds: policy.Window.Seconds(),
		AddressKey: keys[0], AddressWeight: weights[0], UserKey: keys[1], UserWeight: weights[1]})
	if err != nil {
		return nil, translate(err, "User")
	}
	if row.Allowed != nil && !*row.Allowed {
		s.log.WarnContext(ctx, "refused: too many attempts from the address", "what", what)
		return nil, Errorf(Invalid, "Too many %s; try again in %d s", what, max(1, int(math.Ceil(row.WaitSeconds))))
	}
	return func() {
		err := s.q.ThrottleRefund(ctx, db.ThrottleRefundParams{Keys: keys[:], Weights: weights[:]})
		if err != nil {
			s.log.WarnContext(ctx, "giving back a throttled attempt failed", "err", err)
		}
	}, nil
}

// loginFailed locks the account once LoginBegin has counted
// policy.MaxFailures wrong passwords in a row, and returns the one refusal.
func (s *Store) loginFailed(ctx context.Context, policy *LoginPolicy, id int64, username string, now time.Time) error {
	if policy.MaxFailures <= 0 {
		return errWrongCredentials
	}
	until, err := s.q.UserLoginFailed(ctx, db.UserLoginFailedParams{
		ID: id, MaxFailures: int32(min(policy.MaxFailures, math.MaxInt32)), LockedUntil: now.Add(policy.Lockout),
	})
	if err != nil {
		return translate(err, "User")
	}
	if until != nil && now.Before(*until) {
		s.log.WarnContext(ctx, "account locked after too many wrong passwords", "username", username, "locked_until", *until)
	}
	return errWrongCredentials
}

// SetMaxHashes bounds how many password hashes run at once, each taking
// about 19 MiB and a core for tens of milliseconds; n <= 0 means one per
// CPU. Call it before the store is used.
func (s *Store) SetMaxHashes(n int) {
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	s.hashSlots = make(chan struct{}, n)
}

// slot waits for a free hashing slot; the caller runs release when done.
func (s *Store) slot(ctx context.Context) (release func(), err error) {
	select {
	case s.hashSlots <- struct{}{}:
		return func() { <-s.hashSlots }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// hash is hashPassword in a hashing slot.
func (s *Store) hash(ctx context.Context, password string) (string, error) {
	release, err := s.slot(ctx)
	if err != nil {
		return "", err
	}
	defer release()
	return hashPassword(password), nil
}

// verify is verifyPassword in a hashing slot.
func (s *Store) verify(ctx context.Context, hash, password string) (ok, rehash bool, err error) {
	release, err := s.slot(ctx)
	if err != nil {
		return false, false, err
	}
	defer release()
	ok, rehash = verifyPassword(hash, password)
	return ok, rehash, nil
}
