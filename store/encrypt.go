package store

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
)

// Credentials the server must be able to use again (a bug tracker's API
// password) are stored encrypted with AES-256-GCM: a random 12-byte nonce
// per value, stored as nonce || ciphertext. The key comes from the
// configuration (SetEncryptionKey) or, without one, is generated once and
// kept in the settings table (EncryptionKey). There is no key rotation.

// EncryptionKeySize is the length of the encryption key in bytes.
const EncryptionKeySize = 32

// encryptionKeySetting is the settings key of the generated key.
const encryptionKeySetting = "encryption_key"

// ErrWrongEncryptionKey reports a stored credential that the current key
// cannot decrypt: the key changed since it was stored, or the value was
// tampered with.
var ErrWrongEncryptionKey = errors.New("stored credentials cannot be decrypted: the encryption key " +
	"(TCMS_ENCRYPTION_KEY, or the one initial-setup stored) is not the one they were encrypted with")

// SetEncryptionKey makes the store encrypt and decrypt credentials with
// key, a configured key that takes the place of the stored one.
func (s *Store) SetEncryptionKey(key []byte) error {
	aead, err := newAEAD(key)
	if err != nil {
		return err
	}
	s.aead.Store(&aead)
	return nil
}

// EncryptionKey returns the key kept in the settings table, generating it
// on first use; initial-setup calls it when no key is configured.
func (s *Store) EncryptionKey(ctx context.Context) ([]byte, error) {
	return s.generatedSetting(ctx, encryptionKeySetting)
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	if len(key) != EncryptionKeySize {
		return nil, fmt.Errorf("the encryption key must be %d bytes, got %d", EncryptionKeySize, len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// sealer returns the AEAD of the configured key, or of the stored one,
// loading it once.
func (s *Store) sealer(ctx context.Context) (cipher.AEAD, error) {
	if aead := s.aead.Load(); aead != nil {
		return *aead, nil
	}
	key, err := s.EncryptionKey(ctx)
	if err != nil {
		return nil, err
	}
	aead, err := newAEAD(key)
	if err != nil {
		return nil, fmt.Errorf("the stored %s setting: %w", encryptionKeySetting, err)
	}
	s.aead.CompareAndSwap(nil, &aead)
	return *s.aead.Load(), nil
}

// seal encrypts plaintext; purpose (the column) is bound in as associated
// data, so a value cannot be moved to another kind of secret.
func (s *Store) seal(ctx context.Context, plaintext, purpose string) ([]byte, error) {
	aead, err := s.sealer(ctx)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plaintext)+aead.Overhead())
	rand.Read(nonce)
	return aead.Seal(nonce, nonce, []byte(plaintext), []byte(purpose)), nil
}

// unseal decrypts what seal made with the same purpose.
func (s *Store) unseal(ctx context.Context, sealed []byte, purpose string) (string, error) {
	aead, err := s.sealer(ctx)
	if err != nil {
		return "", err
	}
	n := aead.NonceSize()
	if len(sealed) < n+aead.Overhead() {
		return "", ErrWrongEncryptionKey
	}
	plain, err := aead.Open(nil, sealed[:n], sealed[n:], []byte(purpose))
	if err != nil {
		return "", ErrWrongEncryptionKey
	}
	return string(plain), nil
}
