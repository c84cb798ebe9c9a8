import Auth
import Dispatch
import Foundation
import Synchronization
import Testing

@Suite("TokenVerifier cache and threads")
struct CacheAndConcurrencyTests {
    let now = TestTokens.now

    @Test("a cached identity is never served after exp")
    func noExpiredFromCache() throws {
        let verifier = try TokenVerifier(configuration: .init(hmacSecret: TestTokens.secret, leewaySeconds: 0))
        let token = TestTokens.handMade(payload: TestTokens.claims(["exp": now.timeIntervalSince1970 + 30]))
        #expect(try verifier.verify(token, now: now).subject == "alice")
        #expect(verifier.cachedTokenCount == 1)
        #expect(try verifier.verify(token, now: now.addingTimeInterval(29)).subject == "alice")
        #expect(throws: AuthError.expired) { try verifier.verify(token, now: now.addingTimeInterval(30)) }
        #expect(throws: AuthError.expired) { try verifier.verify(token, now: now.addingTimeInterval(3600)) }
    }

    @Test("a cached identity is not served before nbf")
    func noEarlyFromCache() throws {
        let verifier = try TokenVerifier(configuration: .init(hmacSecret: TestTokens.secret, leewaySeconds: 0))
        let token = TestTokens.handMade(payload: TestTokens.claims(["nbf": now.timeIntervalSince1970 + 10]))
        #expect(try verifier.verify(token, now: now.addingTimeInterval(10)).subject == "alice")
        #expect(throws: AuthError.notYetValid) { try verifier.verify(token, now: now) }
    }

    @Test("entries are re-verified after a minute, and failures are not cached")
    func lifetime() throws {
        let verifier = try TokenVerifier(configuration: .init(hmacSecret: TestTokens.secret))
        let token = TestTokens.handMade(payload: TestTokens.claims(["exp": now.timeIntervalSince1970 + 3600]))
        _ = try verifier.verify(token, now: now)
        _ = try verifier.verify(token, now: now.addingTimeInterval(61))
        #expect(verifier.cachedTokenCount == 1)
        #expect(throws: AuthError.self) { try verifier.verify(token + "x", now: now) }
        #expect(verifier.cachedTokenCount == 1)
    }

    @Test("the cache stays within its capacity")
    func bounded() throws {
        let verifier = try TokenVerifier(configuration: .init(hmacSecret: TestTokens.secret), cacheCapacity: 4)
        for index in 0..<20 {
            let token = TestTokens.handMade(payload: TestTokens.claims(["sub": "user-\(index)"]))
            #expect(try verifier.verify(token, now: now).subject == "user-\(index)")
            #expect(verifier.cachedTokenCount <= 4)
        }
        let uncached = try TokenVerifier(configuration: .init(hmacSecret: TestTokens.secret), cacheCapacity: 0)
        _ = try uncached.verify(TestTokens.handMade(), now: now)
        #expect(uncached.cachedTokenCount == 0)
    }

    @Test("verifying from many plain threads at once", .timeLimit(.minutes(1)))
    func threads() async throws {
        let rsa = TestTokens.RSAKey()
        let ec = TestTokens.ECKey()
        let verifier = try TokenVerifier(
            configuration: .init(hmacSecret: TestTokens.secret, jwksJSON: TestTokens.jwks(rsa.jwk(kid: "r"), ec.jwk(kid: "e"))),
            cacheCapacity: 8)
        let valid = [
            TestTokens.handMade(),
            try await rsa.sign(.init(sub: "rs"), kid: "r"),
            try await ec.sign(.init(sub: "es"), kid: "e"),
        ] + (0..<12).map { TestTokens.handMade(payload: TestTokens.claims(["sub": "u\($0)"])) }
        let expectedSubjects = try valid.map { try verifier.verify($0, now: now).subject }
        let forged = TestTokens.handMade(hmacKey: Array("a-different-secret-of-32-bytes-long".utf8))

        let failures = Atomic<Int>(0)
        let instant = now
        DispatchQueue.concurrentPerform(iterations: 8) { thread in
            for round in 0..<300 {
                let index = (thread * 7 + round) % valid.count
                if (try? verifier.verify(valid[index], now: instant).subject) != expectedSubjects[index] {
                    failures.add(1, ordering: .relaxed)
                }
                if round % 10 == 0, (try? verifier.verify(forged, now: instant)) != nil {
                    failures.add(1, ordering: .relaxed)
                }
            }
        }
        #expect(failures.load(ordering: .relaxed) == 0)
        #expect(verifier.cachedTokenCount <= 8)
    }

    /// Init and minting block on jwt-kit's async API; doing both from every cooperative thread at
    /// once would hang if that work needed the cooperative pool.
    @Test("building verifiers and minting from many tasks at once does not deadlock", .timeLimit(.minutes(1)))
    func bridgeFromTasks() async throws {
        let jwks = TestTokens.jwks(TestTokens.ECKey().jwk(kid: "e"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<16 {
                group.addTask {
                    let verifier = try TokenVerifier(configuration: .init(hmacSecret: TestTokens.secret, jwksJSON: jwks))
                    let token = try TokenMinter.hs256(
                        secret: TestTokens.secret, subject: "s\(index)", tenantID: nil, roles: [], ttlSeconds: 60)
                    #expect(try verifier.verify(token).subject == "s\(index)")
                }
            }
            try await group.waitForAll()
        }
    }
}
