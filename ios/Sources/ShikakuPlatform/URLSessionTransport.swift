import Foundation
import ShikakuCore

/// The network seam on iOS: one `URLSession` data task per request, with the request's own
/// timeout. Any HTTP status is a response (the core judges it); only a missing or incomplete
/// answer is an error. Redirects are refused (the protocol has none); no cookies or cache
/// (ephemeral session).
///
/// A body larger than `maxBodyBytes` (1 MiB, as the core and the Android transport) is refused:
/// a declared `Content-Length` over it before any of the body is read, a streamed body as soon
/// as it would pass the cap (the task is cancelled; at most the cap is ever held).
///
/// TLS pins: when the request carries pins (`HttpRequest.tlsPins`, `sha256/<base64>` of a
/// SubjectPublicKeyInfo), the server-trust challenge first runs the system's own evaluation,
/// then asks the core's rule (`tlsChainIsPinned`) whether a certificate of the chain has a
/// pinned key; if not, the connection is cancelled and the answer is `HttpError.Tls`. No pins:
/// the system's checks only.
///
/// Blocking, as the core's seams are (Rust calls `send` from its own thread): `send` waits for
/// the task to complete.
public final class URLSessionTransport: HttpTransport, Sendable {
    /// The default cap on a response body: 1 MiB.
    public static let defaultMaxBodyBytes = 1024 * 1024

    private let session: URLSession
    private let maxBodyBytes: Int

    /// - Parameter maxBodyBytes: the largest response body accepted.
    public init(maxBodyBytes: Int = URLSessionTransport.defaultMaxBodyBytes) {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.httpShouldSetCookies = false
        configuration.waitsForConnectivity = false
        self.maxBodyBytes = maxBodyBytes
        // No session delegate: each task gets its own (`Exchange`), which also receives the
        // server-trust challenge.
        session = URLSession(configuration: configuration)
    }

    deinit {
        session.finishTasksAndInvalidate()
    }

    /// Sends `request` and returns the complete response.
    public func send(request: HttpRequest) throws -> HttpResponse {
        guard let url = URL(string: request.url) else {
            throw HttpError.Other(reason: "malformed URL")
        }
        var urlRequest = URLRequest(url: url)
        urlRequest.httpMethod = request.method == .get ? "GET" : "POST"
        urlRequest.timeoutInterval = max(Double(request.timeoutMs) / 1000, 1)
        for header in request.headers {
            urlRequest.addValue(header.value, forHTTPHeaderField: header.name)
        }
        if request.method == .post {
            urlRequest.httpBody = request.body
        }
        let exchange = Exchange(maxBodyBytes: maxBodyBytes, pins: request.tlsPins)
        let task = session.dataTask(with: urlRequest)
        task.delegate = exchange
        task.resume()
        // The task's own timeout fires first; this bound only guards against a lost callback.
        guard let outcome = exchange.reply.wait(timeout: urlRequest.timeoutInterval + 5) else {
            task.cancel()
            throw HttpError.Timeout
        }
        return try outcome.get()
    }

    fileprivate static func map(_ error: Error) -> HttpError {
        guard let urlError = error as? URLError else {
            return .Other(reason: String(describing: type(of: error)))
        }
        switch urlError.code {
        case .timedOut:
            return .Timeout
        case .notConnectedToInternet, .cannotFindHost, .cannotConnectToHost, .dnsLookupFailed,
             .dataNotAllowed, .internationalRoamingOff:
            return .Offline(reason: "URLError \(urlError.code.rawValue)")
        case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate,
             .serverCertificateNotYetValid, .serverCertificateHasUnknownRoot,
             .clientCertificateRejected, .clientCertificateRequired:
            return .Tls(reason: "URLError \(urlError.code.rawValue)")
        case .networkConnectionLost, .cannotParseResponse, .badServerResponse:
            return .Interrupted(reason: "URLError \(urlError.code.rawValue)")
        default:
            return .Other(reason: "URLError \(urlError.code.rawValue)")
        }
    }
}

/// One request's task delegate: refuses redirects, checks the pins in the server-trust
/// challenge, collects the body up to the cap, and hands the outcome to the blocked `send`.
/// Its mutable state is touched only under `lock` (the second `@unchecked Sendable` of the
/// package, for the same reason as `BlockingReply`).
private final class Exchange: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    let reply = BlockingReply<Result<HttpResponse, HttpError>>()
    private let maxBodyBytes: Int
    private let pins: [String]
    private let lock = NSLock()
    private var response: HTTPURLResponse?
    private var body = Data()
    private var refusal: HttpError?

    init(maxBodyBytes: Int, pins: [String]) {
        self.maxBodyBytes = maxBodyBytes
        self.pins = pins
    }

    private var tooLarge: HttpError {
        .Other(reason: "the answer is larger than \(maxBodyBytes) bytes")
    }

    /// Remembers why the task was stopped (the first reason wins).
    private func refuse(_ error: HttpError) {
        lock.lock()
        if refusal == nil {
            refusal = error
        }
        lock.unlock()
    }

    func urlSession(
        _ session: URLSession,
        task: URLSessionTask,
        willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest,
        completionHandler: @escaping @Sendable (URLRequest?) -> Void
    ) {
        completionHandler(nil)
    }

    func urlSession(
        _ session: URLSession,
        task: URLSessionTask,
        didReceive challenge: URLAuthenticationChallenge,
        completionHandler: @escaping @Sendable (URLSession.AuthChallengeDisposition, URLCredential?) -> Void
    ) {
        guard challenge.protectionSpace.authenticationMethod == NSURLAuthenticationMethodServerTrust,
              !pins.isEmpty else {
            completionHandler(.performDefaultHandling, nil)
            return
        }
        // The system's checks first (chain, host name, dates); pins only narrow them.
        guard let trust = challenge.protectionSpace.serverTrust, SecTrustEvaluateWithError(trust, nil) else {
            refuse(.Tls(reason: "untrusted server certificate"))
            completionHandler(.cancelAuthenticationChallenge, nil)
            return
        }
        let certificates = (SecTrustCopyCertificateChain(trust) as? [SecCertificate]) ?? []
        let chain = certificates.map { SecCertificateCopyData($0) as Data }
        if tlsChainIsPinned(chain: chain, pins: pins) {
            completionHandler(.performDefaultHandling, nil)
        } else {
            refuse(.Tls(reason: "the server key is not pinned"))
            completionHandler(.cancelAuthenticationChallenge, nil)
        }
    }

    func urlSession(
        _ session: URLSession,
        dataTask: URLSessionDataTask,
        didReceive response: URLResponse,
        completionHandler: @escaping @Sendable (URLSession.ResponseDisposition) -> Void
    ) {
        guard let http = response as? HTTPURLResponse else {
            refuse(.Other(reason: "not an HTTP response"))
            completionHandler(.cancel)
            return
        }
        // A declared length over the cap is refused before any of the body is read.
        if http.expectedContentLength > Int64(maxBodyBytes) {
            refuse(tooLarge)
            completionHandler(.cancel)
            return
        }
        lock.lock()
        self.response = http
        lock.unlock()
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        lock.lock()
        let fits = body.count + data.count <= maxBodyBytes
        if fits {
            body.append(data)
        }
        lock.unlock()
        if !fits {
            refuse(tooLarge)
            dataTask.cancel()
        }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        lock.lock()
        let refusal = self.refusal
        let response = self.response
        let body = self.body
        lock.unlock()
        if let refusal {
            reply.put(.failure(refusal))
        } else if let error {
            reply.put(.failure(URLSessionTransport.map(error)))
        } else if let http = response {
            var headers: [HttpHeader] = []
            for (name, value) in http.allHeaderFields {
                headers.append(HttpHeader(name: String(describing: name), value: String(describing: value)))
            }
            let status = UInt16(clamping: http.statusCode)
            reply.put(.success(HttpResponse(status: status, headers: headers, body: body)))
        } else {
            reply.put(.failure(.Other(reason: "not an HTTP response")))
        }
    }
}
