import Foundation
import ShikakuCore

/// The network seam on iOS: one `URLSession` data task per request, with the request's own
/// timeout. Any HTTP status is a response (the core judges it); only a missing or incomplete
/// answer is an error. Redirects are refused (the protocol has none); no cookies or cache
/// (ephemeral session).
///
/// Blocking, as the core's seams are (Rust calls `send` from its own thread): `send` waits for
/// the task's completion handler.
public final class URLSessionTransport: HttpTransport, Sendable {
    private let session: URLSession

    public init() {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.httpShouldSetCookies = false
        configuration.waitsForConnectivity = false
        session = URLSession(configuration: configuration, delegate: RedirectRefusal(), delegateQueue: nil)
    }

    deinit {
        // A session keeps its delegate until it is invalidated.
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
        let reply = BlockingReply<Result<HttpResponse, HttpError>>()
        let task = session.dataTask(with: urlRequest) { data, response, error in
            if let error {
                reply.put(.failure(Self.map(error)))
            } else if let http = response as? HTTPURLResponse {
                var headers: [HttpHeader] = []
                for (name, value) in http.allHeaderFields {
                    headers.append(HttpHeader(name: String(describing: name), value: String(describing: value)))
                }
                let status = UInt16(clamping: http.statusCode)
                reply.put(.success(HttpResponse(status: status, headers: headers, body: data ?? Data())))
            } else {
                reply.put(.failure(.Other(reason: "not an HTTP response")))
            }
        }
        task.resume()
        // The task's own timeout fires first; this bound only guards against a lost callback.
        guard let outcome = reply.wait(timeout: urlRequest.timeoutInterval + 5) else {
            task.cancel()
            throw HttpError.Timeout
        }
        return try outcome.get()
    }

    private static func map(_ error: Error) -> HttpError {
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

/// Refuses every redirect: the answer to the original request is returned as it is.
private final class RedirectRefusal: NSObject, URLSessionTaskDelegate, Sendable {
    func urlSession(
        _ session: URLSession,
        task: URLSessionTask,
        willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest,
        completionHandler: @escaping @Sendable (URLRequest?) -> Void
    ) {
        completionHandler(nil)
    }
}
