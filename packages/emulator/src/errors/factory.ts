import { CosError, type ErrorDetails } from './cos-error.js';

/** Why Pic-Operations is refused where it is not emulated rather than half-done: what it asks for, and where it works. */
const picOperationsReason = (name: string) =>
  `the "${name}" header asks Cloud Infinite to process the image and store copies; the emulator does this on PUT Object, Complete Multipart Upload and POST ?image_process, not on POST Object, whose form fields COS documents without it (doc 436/14690 sends image uploads to PUT Object), so it neither stores the copies the rules name nor answers an <UploadResult>`;

/** Why a header is refused: Pic-Operations and a bucket-only grant on an object get their own explanation. */
function unimplementedHeaderReason(name: string): string {
  const lower = name.toLowerCase();
  if (lower === 'pic-operations') return picOperationsReason(name);
  if (lower === 'x-cos-grant-write')
    return `the "${name}" header is documented by COS for PUT Bucket and PUT ?acl only, not for object uploads or copies, so the emulator does not know what it does here`;
  return `the "${name}" header is not supported by the emulator`;
}

// One factory per COS error code, with the status and message COS uses
// (cos-protocol §5.2). The `reason` argument is the emulator's explanation of this refusal.
export const CosErrors = {
  accessDenied: (reason: string) => new CosError('AccessDenied', 403, 'Access Denied.', reason),
  requestExpired: (reason: string) => new CosError('AccessDenied', 403, 'Request has expired', reason),
  accessForbiddenCors: (reason: string) =>
    new CosError(
      'AccessForbidden',
      403,
      "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Requet-Headers are not whitelisted by the resource's CORS spec",
      reason,
    ),
  signatureDoesNotMatch: (reason: string, details: ErrorDetails) =>
    new CosError('SignatureDoesNotMatch', 403, 'The Signature you specified is invalid.', reason, details),
  /** SigV4: an Authorization header that does not parse, or whose scope is not COS's (service s3, the bucket's region). */
  authorizationHeaderMalformed: (reason: string) =>
    new CosError('AuthorizationHeaderMalformed', 400, 'The authorization header is malformed.', reason),
  /** SigV4: a presigned URL whose X-Amz-* parameters do not parse or name the wrong scope. */
  authorizationQueryParametersError: (reason: string) =>
    new CosError('AuthorizationQueryParametersError', 400, 'Error parsing the X-Amz-Credential parameter.', reason),
  /** SigV4: the body's SHA-256 is not the x-amz-content-sha256 the request signed. */
  contentSha256Mismatch: (reason: string) =>
    new CosError('XAmzContentSHA256Mismatch', 400, 'The provided x-amz-content-sha256 header does not match what was computed.', reason),
  invalidAccessKeyId: (reason: string) =>
    new CosError('InvalidAccessKeyId', 403, 'The Access Key Id you provided does not exist in our records.', reason),
  invalidAccessKeyIdFormat: (reason: string) =>
    new CosError('InvalidAccessKeyId', 403, 'The access key Id format you provided is invalid.', reason),
  pathStyleDomainForbidden: (reason: string) =>
    new CosError(
      'PathStyleDomainForbidden',
      403,
      'The bucket you are attempting to access must be addressed using COS virtual-styled domain.',
      reason,
    ),
  requestTimeTooSkewed: (reason: string) =>
    new CosError('RequestTimeTooSkewed', 403, "The difference between the request time and the server's time is too large.", reason),
  expiredToken: (reason: string) => new CosError('ExpiredToken', 400, 'The provided token has expired.', reason),
  noSuchKey: (key: string) => new CosError('NoSuchKey', 404, 'The specified key does not exist.', `no object has the key "${key}"`),
  noSuchVersion: (key: string, versionId: string) =>
    new CosError('NoSuchVersion', 404, 'The specified version does not exist.', `"${key}" has no version "${versionId}"`),
  /** GET or HEAD of a key whose latest version (or the version asked for) is a delete marker. */
  deleteMarker: (key: string, versionId: string) =>
    new CosError(
      'NoSuchKey',
      404,
      'The specified key does not exist.',
      `version "${versionId}" of "${key}" is a delete marker`,
      {},
      { 'x-cos-delete-marker': 'true', 'x-cos-version-id': versionId },
    ),
  noSuchBucket: (bucket: string) =>
    new CosError('NoSuchBucket', 404, 'The specified bucket does not exist.', `no bucket is named "${bucket}"`),
  /** A bucket's name under another region's host: COS serves a bucket at its own region's host only. */
  noSuchBucketInRegion: (bucket: string, reason: string) =>
    new CosError('NoSuchBucket', 404, 'The specified bucket does not exist.', `no bucket is named "${bucket}" in this region: ${reason}`),
  noSuchUpload: (uploadId: string) =>
    new CosError('NoSuchUpload', 404, 'The specified upload does not exist.', `no multipart upload has the id "${uploadId}" for this key`),
  /** GET of a bucket configuration that is not set: COS's code for that sub-resource (NoSuchLifecycleConfiguration, …). */
  noSuchConfiguration: (code: string, message: string, reason: string) => new CosError(code, 404, message, reason),
  malformedPolicy: (reason: string) => new CosError('MalformedPolicy', 400, 'The policy is not valid.', reason),
  noSuchCors: () => new CosError('NoSuchCORSConfiguration', 404, 'The CORS configuration does not exist.', 'the bucket has no CORS rules'),
  methodNotAllowed: (reason: string) =>
    new CosError('MethodNotAllowed', 405, 'The specified method is not allowed against this resource.', reason),
  invalidPart: (reason: string) =>
    new CosError('InvalidPart', 400, 'One or more of the specified parts could not be found or the ETag did not match.', reason),
  invalidPartOrder: (reason: string) => new CosError('InvalidPartOrder', 400, 'The list of parts was not in ascending order.', reason),
  entityTooSmall: (reason: string) =>
    new CosError('EntityTooSmall', 400, 'Your proposed upload is smaller than the minimum allowed object size.', reason),
  entityTooLarge: (reason: string) =>
    new CosError('EntityTooLarge', 400, 'Your proposed upload exceeds the maximum allowed object size', reason),
  missingContentLength: () =>
    new CosError(
      'MissingContentLength',
      411,
      'You must provide the Content-Length HTTP header.',
      'the request has neither Content-Length nor Transfer-Encoding: chunked',
    ),
  invalidDigest: (reason: string) => new CosError('InvalidDigest', 400, 'The Content-MD5 you specified is not valid.', reason),
  badDigest: (reason: string) => new CosError('BadDigest', 400, 'The Content-MD5 you specified did not match what we received.', reason),
  incompleteBody: (reason: string) =>
    new CosError('IncompleteBody', 400, 'You did not provide the number of bytes specified by the Content-Length HTTP header.', reason),
  fileAlreadyExists: (key: string) =>
    new CosError(
      'FileAlreadyExists',
      409,
      'The specified file already exists.',
      `x-cos-forbid-overwrite is true and "${key}" already exists`,
    ),
  invalidArgument: (reason: string) => new CosError('InvalidArgument', 400, 'Invalid Argument', reason),
  /** APPEND Object on a key that holds a normal object (doc 436/7741). */
  objectNotAppendable: (key: string) =>
    new CosError(
      'ObjectNotAppendable',
      409,
      'The operation is not valid for the current state of the object.',
      `"${key}" is a normal object; only an object made by APPEND Object can be appended to`,
    ),
  /** APPEND Object at a position other than the object's length (COS's code, doc 436/7730). */
  appendPositionErr: (reason: string) =>
    new CosError('AppendPositionErr', 409, 'Position is not equal to the length of the object.', reason),
  /** A tag key or value COS does not accept, or two tags with one key (S3's code, which COS answers too). */
  invalidTag: (reason: string) => new CosError('InvalidTag', 400, 'The TagKey or TagValue you have provided is invalid.', reason),
  /** More tags than COS keeps on an object. */
  tooManyTags: (reason: string) => new CosError('BadRequest', 400, 'Object tags cannot be greater than 10', reason),
  invalidRequest: (message: string, reason: string) => new CosError('InvalidRequest', 400, message, reason),
  requestTimeout: (reason: string) =>
    new CosError(
      'RequestTimeout',
      400,
      'Your socket connection to the server was not read from or written to within the timeout period.',
      reason,
    ),
  userKeyMustBeSpecified: (reason: string) =>
    new CosError('UserKeyMustBeSpecified', 400, 'The bucket POST must contain the specified field name.', reason),
  malformedXml: (reason: string) =>
    new CosError('MalformedXML', 400, 'The XML you provided was not well-formed or did not validate against our published schema.', reason),
  malformedPost: (reason: string) =>
    new CosError('MalformedPOSTRequest', 400, 'The body of your POST request is not well-formed multipart/form-data.', reason),
  invalidPolicyDocument: (reason: string) =>
    new CosError(
      'InvalidPolicyDocument',
      400,
      'The content of the form does not meet the conditions specified in the policy document.',
      reason,
    ),
  incorrectNumberOfFiles: (reason: string) =>
    new CosError('IncorrectNumberOfFilesInPostRequest', 400, 'POST requires exactly one file upload per request.', reason),
  invalidRange: (size: number, reason = `the object has ${size} bytes`) =>
    new CosError('InvalidRange', 416, 'The requested range is not satisfiable', reason, {}, { 'content-range': `bytes */${size}` }),
  preconditionFailed: (reason: string) =>
    new CosError('PreconditionFailed', 412, 'At least one of the preconditions you specified did not hold.', reason),
  invalidUri: (reason: string) => new CosError('InvalidURI', 400, 'Could not parse the specified URI.', reason),
  keyTooLong: (reason: string) =>
    new CosError('KeyTooLong', 400, 'Your metadata headers exceed the maximum allowed metadata size.', reason),
  /** Every bucket of the emulator is the root account's, so re-creating one is re-creating your own. */
  bucketAlreadyOwnedByYou: (bucket: string) =>
    new CosError(
      'BucketAlreadyOwnedByYou',
      409,
      'Your previous request to create the named bucket succeeded and you already own it.',
      `bucket "${bucket}" already exists, and this account owns it`,
    ),
  bucketNotEmpty: (bucket: string) =>
    new CosError('BucketNotEmpty', 409, 'The bucket you tried to delete is not empty.', `bucket "${bucket}" still holds objects`),
  invalidBucketName: (reason: string) => new CosError('InvalidBucketName', 400, 'The specified bucket is not valid.', reason),
  notImplemented: (what: string) =>
    new CosError(
      'NotImplemented',
      501,
      'A header or query you provided implies functionality that is not implemented.',
      `${what} is not supported by the emulator`,
    ),
  /** A request header the emulator does not implement; `--loose` accepts it with a warning instead. */
  notImplementedHeader: (name: string, why?: string) =>
    new CosError(
      'NotImplemented',
      501,
      'A header or query you provided implies functionality that is not implemented.',
      `${why ?? unimplementedHeaderReason(name)}, which refuses it rather than ignore it (start with --loose, or the loose option, to accept unknown headers with a warning)`,
    ),
  internalError: (reason = 'see the emulator log for this request id') =>
    new CosError('InternalError', 500, 'We encountered an internal error. Please try again.', reason),
  /** Only from a fault rule: COS's answer when a client sends too fast. */
  slowDown: (reason: string) => new CosError('SlowDown', 503, 'Please reduce your request rate.', reason),
  /** Only from a fault rule. */
  serviceUnavailable: (reason: string) => new CosError('ServiceUnavailable', 503, 'Service is unable to handle request.', reason),
};
