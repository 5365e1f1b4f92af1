package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/tcms/tcms/store/internal/db"
)

// Token is an API token as its owner sees it: never its text or hash.
type Token struct {
	ID         int64
	Name       string
	CreatedAt  time.Time
	ExpiresAt  *time.Time // nil: never
	LastUsedAt *time.Time // when the database last answered for it
}

// TokenPrefix starts every API token, so that a token is recognisable in
// a config file or a leak scanner, and cannot be mistaken for a JWT.
const TokenPrefix = "tcms_"

// tokenTTL bounds how long a token is trusted from memory, which is also
// how stale last_used_at may be. Revocation does not wait for it.
const tokenTTL = 5 * time.Minute

// errTokenInvalid answers for every token that does not authenticate.
var errTokenInvalid = &Error{Kind: Unauthenticated, Message: "invalid token"}

// IsToken tells whether s has the shape of an API token.
func IsToken(s string) bool { return isSecret(TokenPrefix, s) }

// isSecret tells whether s has the shape of a secret newSecret made with
// prefix.
func isSecret(prefix, s string) bool {
	hexPart, ok := strings.CutPrefix(s, prefix)
	if !ok || len(hexPart) != 2*32 {
		return false
	}
	_, err := hex.DecodeString(hexPart)
	return err == nil
}

// newSecret returns a new secret (API token, invitation or reset token):
// prefix and 32 random bytes in hex, and the hash it is stored as.
func newSecret(prefix string) (text string, hash [sha256.Size]byte) {
	b := make([]byte, 32)
	rand.Read(b)
	text = prefix + hex.EncodeToString(b)
	return text, tokenHash(text)
}

// tokenHash is what the database stores and the cache is keyed by, for
// every kind of secret newSecret makes. A secret has 256 random bits, so a
// fast hash is as good as a slow one, and looking the hash up tells a
// guesser nothing about the stored secrets: no comparison of secrets is
// ever made.
func tokenHash(token string) [sha256.Size]byte { return sha256.Sum256([]byte(token)) }

func tokenPayload(id int64) string { return "t:" + strconv.FormatInt(id, 10) }

// CreateToken makes a new API token and returns it with its text, which
// is shown this once and stored only as a hash: for by itself when user is
// nil (Auth.create_token), else for user, an id or username
// (User.create_token), whose every label by must hold (tokenOwner). A
// name the user already gave a token is a Conflict.
func (s *Store) CreateToken(ctx context.Context, by Principal, user any, name string, expiresAt *time.Time) (Token, string, error) {
	switch n := utf8.RuneCountInString(name); {
	case strings.TrimSpace(name) == "":
		return Token{}, "", Errorf(Invalid, "name: This field is required.")
	case n > 100:
		return Token{}, "", Errorf(Invalid, "name: Ensure this value has at most 100 characters (it has %d).", n)
	}
	text, hash := newSecret(TokenPrefix)
	var row db.TokenCreateRow
	err := s.onTokens(ctx, "create_token", by, user, func(q *db.Queries, log *changeLog, owner db.User) (err error) {
		row, err = q.TokenCreate(ctx, db.TokenCreateParams{
			UserID: owner.ID, Name: name, TokenHash: hash[:], Now: time.Now(), ExpiresAt: expiresAt,
		})
		log.add(owner.Username, map[string]any{"user_id": owner.ID, "token_id": row.ID, "name": name, "expires_at": expiresAt})
		return err
	})
	if err != nil {
		return Token{}, "", err
	}
	return Token(row), text, nil
}

// Tokens lists API tokens by id: by's own when user is nil (Auth.tokens,
// no transaction), else user's (User.tokens), whose every label by must
// hold; the check reads in a transaction, as it moves through the
// tenants the user works in.
func (s *Store) Tokens(ctx context.Context, by Principal, user any) ([]Token, error) {
	var rows []db.TokenListByUserRow
	var err error
	if user == nil {
		rows, err = s.q.TokenListByUser(ctx, by.UserID)
	} else {
		err = s.inTx(ctx, func(tx pgx.Tx) error {
			q := s.q.WithTx(tx)
			owner, err := s.tokenOwner(ctx, tx, q, by, user)
			if err == nil {
				rows, err = q.TokenListByUser(ctx, owner.ID)
			}
			return err
		})
	}
	if err != nil {
		return nil, translate(err, "Token")
	}
	out := make([]Token, len(rows))
	for i, r := range rows {
		out[i] = Token(r)
	}
	return out, nil
}

// RevokeToken deletes an API token of by (user nil) or of user, as
// CreateToken; a token of anyone else is NotFound. Every process stops
// accepting it when the change commits.
func (s *Store) RevokeToken(ctx context.Context, by Principal, user any, tokenID int64) error {
	err := s.onTokens(ctx, "revoke_token", by, user, func(q *db.Queries, log *changeLog, owner db.User) error {
		n, err := q.TokenDelete(ctx, db.TokenDeleteParams{ID: tokenID, UserID: owner.ID})
		if err != nil {
			return err
		}
		if n == 0 {
			return pgx.ErrNoRows
		}
		log.add(owner.Username, map[string]any{"user_id": owner.ID, "token_id": tokenID})
		return q.AuthNotify(ctx, tokenPayload(tokenID))
	})
	if err == nil {
		s.cache.apply(tokenPayload(tokenID))
	}
	return err
}

// onTokens runs fn, a change to the API tokens of by (user nil: the
// Auth.<method> call) or of user (User.<method>), in an audited
// transaction.
func (s *Store) onTokens(ctx context.Context, method string, by Principal, user any, fn func(q *db.Queries, log *changeLog, owner db.User) error) error {
	action := "Auth." + method
	if user != nil {
		action = "User." + method
	}
	return s.change(ctx, "Token", action, func(tx pgx.Tx, q *db.Queries, log *changeLog) error {
		owner, err := s.tokenOwner(ctx, tx, q, by, user)
		if err != nil {
			return err
		}
		return fn(q, log, owner)
	})
}

// tokenOwner returns whose tokens a call reaches: by itself when user is
// nil; else user, provided by holds every label it holds, globally and in
// every tenant it works in: a token lets its holder act as the user.
func (s *Store) tokenOwner(ctx context.Context, tx pgx.Tx, q *db.Queries, by Principal, user any) (db.User, error) {
	if user == nil {
		return q.UserGet(ctx, by.UserID)
	}
	ids, err := resolveUsers(ctx, q, []any{user})
	if err != nil {
		return db.User{}, err
	}
	held, err := s.held(ctx, by)
	if err == nil {
		err = s.guardUsers(ctx, tx, by, held, ids, true)
	}
	if err != nil {
		return db.User{}, err
	}
	return q.UserGet(ctx, ids[0])
}

// TokenPrincipal returns the principal of a live API token: known, not
// expired, its user active. Anything else is Unauthenticated. Like
// sessions, tokens are answered from memory (for at most tokenTTL) until a
// notification drops them.
func (s *Store) TokenPrincipal(ctx context.Context, token string) (Principal, error) {
	if !IsToken(token) {
		return Principal{}, errTokenInvalid
	}
	now := time.Now()
	hash := tokenHash(token)
	p, gen, ok := lookup(s.cache, s.cache.tokens, hash, now)
	if ok {
		return p, nil
	}
	row, err := s.q.TokenPrincipal(ctx, db.TokenPrincipalParams{TokenHash: hash[:], Now: now})
	if errors.Is(err, pgx.ErrNoRows) {
		return Principal{}, errTokenInvalid
	}
	if err != nil {
		return Principal{}, translate(err, "Token")
	}
	p = Principal{UserID: row.UserID, Username: row.Username, IsSuperuser: row.IsSuperuser}
	expires := now.Add(tokenTTL)
	if row.ExpiresAt != nil && row.ExpiresAt.Before(expires) {
		expires = *row.ExpiresAt
	}
	put(s.cache, s.cache.tokens, hash, cached{p: p, expires: expires, tokenID: row.ID}, gen)
	return p, nil
}
