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

// tokenLen is the length of a token: the prefix and 32 random bytes in hex.
const tokenLen = len(TokenPrefix) + 2*32

// tokenTTL bounds how long a token is trusted from memory, which is also
// how stale last_used_at may be. Revocation does not wait for it.
const tokenTTL = 5 * time.Minute

// errTokenInvalid answers for every token that does not authenticate.
var errTokenInvalid = &Error{Kind: Unauthenticated, Message: "invalid token"}

// IsToken tells whether s has the shape of an API token.
func IsToken(s string) bool {
	hexPart, ok := strings.CutPrefix(s, TokenPrefix)
	if !ok || len(s) != tokenLen {
		return false
	}
	_, err := hex.DecodeString(hexPart)
	return err == nil
}

// tokenHash is what the database stores and the cache is keyed by. The
// token has 256 random bits, so a fast hash is as good as a slow one.
func tokenHash(token string) [sha256.Size]byte { return sha256.Sum256([]byte(token)) }

func tokenPayload(id int64) string { return "t:" + strconv.FormatInt(id, 10) }

// CreateToken makes a new API token for the user and returns it with its
// text, which is shown this once and stored only as a hash. A name the
// user already gave a token is a Conflict.
func (s *Store) CreateToken(ctx context.Context, userID int64, name string, expiresAt *time.Time) (Token, string, error) {
	switch n := utf8.RuneCountInString(name); {
	case strings.TrimSpace(name) == "":
		return Token{}, "", Errorf(Invalid, "name: This field is required.")
	case n > 100:
		return Token{}, "", Errorf(Invalid, "name: Ensure this value has at most 100 characters (it has %d).", n)
	}
	secret := make([]byte, 32)
	rand.Read(secret)
	text := TokenPrefix + hex.EncodeToString(secret)
	hash := tokenHash(text)
	var row db.TokenCreateRow
	err := s.withTx(ctx, func(q *db.Queries) (err error) {
		row, err = q.TokenCreate(ctx, db.TokenCreateParams{
			UserID: userID, Name: name, TokenHash: hash[:], Now: time.Now(), ExpiresAt: expiresAt,
		})
		return err
	})
	if err != nil {
		return Token{}, "", translate(err, "Token")
	}
	return Token(row), text, nil
}

// Tokens lists the user's API tokens by id.
func (s *Store) Tokens(ctx context.Context, userID int64) ([]Token, error) {
	var rows []db.TokenListByUserRow
	err := s.withTx(ctx, func(q *db.Queries) (err error) {
		rows, err = q.TokenListByUser(ctx, userID)
		return err
	})
	if err != nil {
		return nil, translate(err, "Token")
	}
	out := make([]Token, len(rows))
	for i, r := range rows {
		out[i] = Token(r)
	}
	return out, nil
}

// RevokeToken deletes one of the user's API tokens; another user's token
// is NotFound. Every process stops accepting it when the change commits.
func (s *Store) RevokeToken(ctx context.Context, userID, tokenID int64) error {
	err := s.withTx(ctx, func(q *db.Queries) error {
		n, err := q.TokenDelete(ctx, db.TokenDeleteParams{ID: tokenID, UserID: userID})
		if err != nil {
			return err
		}
		if n == 0 {
			return pgx.ErrNoRows
		}
		return q.AuthNotify(ctx, tokenPayload(tokenID))
	})
	if err != nil {
		return translate(err, "Token")
	}
	s.cache.apply(tokenPayload(tokenID))
	return nil
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
	var row db.TokenPrincipalRow
	err := s.withTx(ctx, func(q *db.Queries) (err error) {
		row, err = q.TokenPrincipal(ctx, db.TokenPrincipalParams{TokenHash: hash[:], Now: now})
		return err
	})
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
