// Error codes of the p2pcam SDK. Every error the SDK rejects with or
// emits is a P2PError whose `code` is one of these, so a page can
// switch on it; `message` says what to do in words.

/** Login refused: wrong user or password (HTTP 401). */
export const ERR_LOGIN = 'E_LOGIN';
/** The cloud could not be reached or answered nonsense. */
export const ERR_CLOUD = 'E_CLOUD';
/** The account may not watch this device (not shared, HTTP 403). */
export const ERR_NOT_SHARED = 'E_NOT_SHARED';
/** The MQTT signalling connection failed or was refused. */
export const ERR_SIGNALLING = 'E_SIGNALLING';
/** The camera is offline, or published no device info in time. */
export const ERR_OFFLINE = 'E_OFFLINE';
/** The camera refused the offer (status 401: bad token; 405: too many sessions). */
export const ERR_REFUSED = 'E_REFUSED';
/** The camera did not answer the offer in time. */
export const ERR_NO_ANSWER = 'E_NO_ANSWER';
/** The answer's signature does not verify against the device key: someone is in the middle. */
export const ERR_BAD_SIGNATURE = 'E_BAD_SIGNATURE';
/** The browser cannot verify Ed25519 signatures (WebCrypto lacks Ed25519). */
export const ERR_NO_ED25519 = 'E_NO_ED25519';
/** ICE found no path to the camera, or the connection failed. */
export const ERR_CONNECT = 'E_CONNECT';
/** A request was answered with a non-zero status (see `status`). */
export const ERR_STATUS = 'E_STATUS';
/** The camera serves its maximum of viewers: `redirect` ({url, hls, reason}) names its relay when it has one (status 302). */
export const ERR_FULL = 'E_FULL';
/** The camera's speaker is taken by another viewer (status 1). */
export const ERR_BUSY = 'E_BUSY';
/** A request got no head in time, or the channel closed before it. */
export const ERR_TIMEOUT = 'E_TIMEOUT';
/** No service with that id: call startP2PService first. */
export const ERR_NO_SERVICE = 'E_NO_SERVICE';
/** The microphone could not be opened (permission or no device). */
export const ERR_MICROPHONE = 'E_MICROPHONE';
/** The browser cannot play this stream (no MSE, no H.264). */
export const ERR_PLAYBACK = 'E_PLAYBACK';
/** Bad arguments to an SDK call. */
export const ERR_ARGUMENT = 'E_ARGUMENT';
/** The service or SDK was stopped while the call was pending. */
export const ERR_STOPPED = 'E_STOPPED';

/** P2PError is the SDK's error: `code` (an ERR_ constant), an optional
 * request `status` (X-P2P status codes), and `cause`. */
export class P2PError extends Error {
  constructor(code, message, extra = {}) {
    super(message);
    this.name = 'P2PError';
    this.code = code;
    if (extra.status !== undefined) this.status = extra.status;
    if (extra.cause !== undefined) this.cause = extra.cause;
  }
}

/** Request statuses (X-P2P). */
export const STATUS_OK = 0;
export const STATUS_BUSY = 1;
export const STATUS_UNAUTHORIZED = 401;
export const STATUS_REDIRECT = 302;
export const STATUS_FORBIDDEN = 403;
export const STATUS_BAD_REQUEST = 404;
export const STATUS_TOO_MANY = 405;
export const STATUS_UNSUPPORTED = 406;

const statusText = {
  1: 'busy', 302: 'sent to the relay', 401: 'no valid token', 403: 'not permitted by the token',
  404: 'bad request', 405: 'too many viewers', 406: 'not supported',
};

/** statusError turns a request head's non-zero status into a P2PError. */
export function statusError(line, status, detail) {
  const what = statusText[status] || 'refused';
  const code = status === STATUS_BUSY ? ERR_BUSY : ERR_STATUS;
  return new P2PError(code, `${line}: status ${status} (${what})${detail ? ': ' + detail : ''}`, { status });
}
