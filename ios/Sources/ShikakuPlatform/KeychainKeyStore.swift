import CryptoKit
import Foundation
import Security
import ShikakuCore

/// The key seam on iOS: the store's data key is wrapped with ECIES (X9.63 SHA-256, AES-GCM) to
/// a P-256 key whose private half lives in the Secure Enclave where the device has one (a
/// software key in the Keychain otherwise, e.g. the simulator), accessible only when the device
/// is unlocked and never migrated to another device.
///
/// Blob layout: `"SKE1"` ‖ ECIES ciphertext. A missing key on unwrap (restored backup on
/// another device, key deleted) is `Rejected`: the app then offers the clean reset.
public final class KeychainKeyStore: KeyStore, Sendable {
    private static let magic = Data("SKE1".utf8)
    private static var algorithm: SecKeyAlgorithm {
        .eciesEncryptionCofactorVariableIVX963SHA256AESGCM
    }

    private let tag: Data

    /// - Parameter tag: the Keychain application tag of the wrapping key.
    public init(tag: String = "jp.shikaku.store-key-wrap") {
        self.tag = Data(tag.utf8)
    }

    /// True when the wrapping key is (or will be) held by the Secure Enclave.
    public static var usesSecureEnclave: Bool {
        SecureEnclave.isAvailable
    }

    private func findKey() throws -> SecKey? {
        let query: [String: Any] = [
            kSecClass as String: kSecClassKey,
            kSecAttrApplicationTag as String: tag,
            kSecAttrKeyType as String: kSecAttrKeyTypeECSECPrimeRandom,
            kSecReturnRef as String: true,
        ]
        var item: CFTypeRef?
        let status = SecItemCopyMatching(query as CFDictionary, &item)
        switch status {
        case errSecSuccess:
            guard let item = item, CFGetTypeID(item) == SecKeyGetTypeID() else {
                throw KeyStoreError.Unavailable(reason: "unexpected keychain item")
            }
            return (item as! SecKey) // The type ID was checked just above.
        case errSecItemNotFound:
            return nil
        case errSecInteractionNotAllowed:
            throw KeyStoreError.Unavailable(reason: "the device is locked")
        default:
            throw KeyStoreError.Unavailable(reason: "keychain status \(status)")
        }
    }

    private func createKey() throws -> SecKey {
        var error: Unmanaged<CFError>?
        let secureEnclave = Self.usesSecureEnclave
        guard let access = SecAccessControlCreateWithFlags(
            nil,
            kSecAttrAccessibleWhenUnlockedThisDeviceOnly,
            secureEnclave ? .privateKeyUsage : [],
            &error
        ) else {
            throw KeyStoreError.Unavailable(reason: "access control unavailable")
        }
        var attributes: [String: Any] = [
            kSecAttrKeyType as String: kSecAttrKeyTypeECSECPrimeRandom,
            kSecAttrKeySizeInBits as String: 256,
            kSecPrivateKeyAttrs as String: [
                kSecAttrIsPermanent as String: true,
                kSecAttrApplicationTag as String: tag,
                kSecAttrAccessControl as String: access,
            ] as [String: Any],
        ]
        if secureEnclave {
            attributes[kSecAttrTokenID as String] = kSecAttrTokenIDSecureEnclave
        }
        guard let key = SecKeyCreateRandomKey(attributes as CFDictionary, &error) else {
            throw KeyStoreError.Unavailable(reason: "key generation failed")
        }
        return key
    }

    /// Wraps the store's data key (creating the wrapping key on first use).
    public func wrap(key: Data) throws -> Data {
        let privateKey = try findKey() ?? createKey()
        guard let publicKey = SecKeyCopyPublicKey(privateKey),
              SecKeyIsAlgorithmSupported(publicKey, .encrypt, Self.algorithm) else {
            throw KeyStoreError.Unavailable(reason: "ECIES not supported by this key")
        }
        var error: Unmanaged<CFError>?
        guard let sealed = SecKeyCreateEncryptedData(publicKey, Self.algorithm, key as CFData, &error) else {
            throw KeyStoreError.Unavailable(reason: "encryption failed")
        }
        return Self.magic + (sealed as Data)
    }

    /// Unwraps the store's data key; a missing or different wrapping key is `Rejected`.
    public func unwrap(blob: Data) throws -> Data {
        guard blob.count > Self.magic.count + 65 + 16, blob.prefix(Self.magic.count) == Self.magic else {
            throw KeyStoreError.Malformed
        }
        guard let privateKey = try findKey() else {
            throw KeyStoreError.Rejected
        }
        var error: Unmanaged<CFError>?
        let sealed = blob.dropFirst(Self.magic.count)
        guard let plain = SecKeyCreateDecryptedData(privateKey, Self.algorithm, Data(sealed) as CFData, &error) else {
            if let cfError = error?.takeRetainedValue(),
               CFErrorGetCode(cfError) == Int(errSecInteractionNotAllowed) {
                throw KeyStoreError.Unavailable(reason: "the device is locked")
            }
            throw KeyStoreError.Rejected
        }
        return plain as Data
    }

    /// Deletes the wrapping key (after the store itself was destroyed).
    public func deleteKey() {
        let query: [String: Any] = [
            kSecClass as String: kSecClassKey,
            kSecAttrApplicationTag as String: tag,
        ]
        SecItemDelete(query as CFDictionary)
    }
}
