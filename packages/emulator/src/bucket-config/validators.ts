import { CosErrors } from '../errors/index.js';
import { count, element, list, oneOf, optionalText, positiveInteger, required, requiredText, text, type Tree } from './shape.js';

/** What a validator may look at besides the document: the bucket and whether another bucket exists. */
export interface ValidationContext {
  bucket: string;
  region: string;
  bucketExists(name: string): boolean;
  /** The `id` query parameter (inventory). */
  id: string;
}

/** Checks the content of a configuration's root element and returns what is stored (and returned by GET). */
export type Validator = (root: Tree, ctx: ValidationContext) => Tree;

const STATUS = ['Enabled', 'Disabled'] as const;
const TRANSITION_CLASSES = [
  'STANDARD_IA',
  'ARCHIVE',
  'DEEP_ARCHIVE',
  'INTELLIGENT_TIERING',
  'MAZ_STANDARD_IA',
  'MAZ_INTELLIGENT_TIERING',
  'STANDARD',
];
const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
/** `qcs::cos:<region>::<bucket>-<appid>`, as inventory and replication name a destination bucket. */
const BUCKET_QCS = /^qcs::cos:([a-z0-9-]+)::([a-z0-9][a-z0-9-]*-\d+)$/;

function checkDate(value: string | undefined, path: string) {
  if (value !== undefined && (!ISO_DATE.test(value) || Number.isNaN(Date.parse(value))))
    throw CosErrors.invalidArgument(`<${path}> is "${value}"; it must be an ISO 8601 date such as 2030-01-01T00:00:00+08:00`);
}

function uniqueIds(rules: Tree[], path: string) {
  const seen = new Set<string>();
  for (const r of rules) {
    if (typeof r.ID !== 'string') continue;
    if (seen.has(r.ID)) throw CosErrors.invalidArgument(`two <${path}> elements have the ID "${r.ID}"`);
    seen.add(r.ID);
  }
}

export const lifecycle: Validator = (root) => {
  const rules = list(root.Rule).map((r, i) => element(r, `Rule #${i + 1}`));
  count(rules, 1, 1000, 'Rule');
  uniqueIds(rules, 'Rule');
  rules.forEach((rule, i) => {
    const at = `Rule #${i + 1}`;
    const id = optionalText(rule, 'ID', at);
    if (id !== undefined && id.length > 255) throw CosErrors.invalidArgument(`${at}: the ID is over 255 characters`);
    oneOf(requiredText(rule, 'Status', at), STATUS, `${at}.Status`);
    element(required(rule, 'Filter', at), `${at}.Filter`);
    const actions = [
      'Transition',
      'Expiration',
      'NoncurrentVersionTransition',
      'NoncurrentVersionExpiration',
      'AbortIncompleteMultipartUpload',
    ];
    if (!actions.some((a) => rule[a] !== undefined)) throw CosErrors.malformedXml(`${at} has no action (${actions.join(', ')})`);
    for (const [j, raw] of list(rule.Transition).entries()) {
      const t = element(raw, `${at}.Transition`);
      const days = optionalText(t, 'Days', `${at}.Transition`);
      const date = optionalText(t, 'Date', `${at}.Transition`);
      if ((days === undefined) === (date === undefined))
        throw CosErrors.malformedXml(`${at}.Transition #${j + 1} needs exactly one of <Days> and <Date>`);
      if (days !== '0') positiveInteger(days, `${at}.Transition.Days`);
      checkDate(date, `${at}.Transition.Date`);
      oneOf(requiredText(t, 'StorageClass', `${at}.Transition`), TRANSITION_CLASSES, `${at}.Transition.StorageClass`);
    }
    if (rule.Expiration !== undefined) {
      const e = element(rule.Expiration, `${at}.Expiration`);
      const given = ['Days', 'Date', 'ExpiredObjectDeleteMarker'].filter((n) => e[n] !== undefined);
      if (given.length !== 1)
        throw CosErrors.malformedXml(`${at}.Expiration needs exactly one of <Days>, <Date> and <ExpiredObjectDeleteMarker>`);
      positiveInteger(optionalText(e, 'Days', `${at}.Expiration`), `${at}.Expiration.Days`);
      checkDate(optionalText(e, 'Date', `${at}.Expiration`), `${at}.Expiration.Date`);
      oneOf(
        optionalText(e, 'ExpiredObjectDeleteMarker', `${at}.Expiration`),
        ['true', 'false'],
        `${at}.Expiration.ExpiredObjectDeleteMarker`,
      );
    }
    if (rule.AbortIncompleteMultipartUpload !== undefined) {
      const a = element(rule.AbortIncompleteMultipartUpload, `${at}.AbortIncompleteMultipartUpload`);
      positiveInteger(
        requiredText(a, 'DaysAfterInitiation', `${at}.AbortIncompleteMultipartUpload`),
        `${at}.AbortIncompleteMultipartUpload.DaysAfterInitiation`,
      );
    }
  });
  return root;
};

export const website: Validator = (root) => {
  const index = element(required(root, 'IndexDocument', 'WebsiteConfiguration'), 'IndexDocument');
  if (requiredText(index, 'Suffix', 'IndexDocument') === '') throw CosErrors.invalidArgument('<IndexDocument.Suffix> is empty');
  if (root.RedirectAllRequestsTo !== undefined) {
    const r = element(root.RedirectAllRequestsTo, 'RedirectAllRequestsTo');
    oneOf(requiredText(r, 'Protocol', 'RedirectAllRequestsTo'), ['http', 'https'], 'RedirectAllRequestsTo.Protocol');
  }
  if (root.ErrorDocument !== undefined) requiredText(element(root.ErrorDocument, 'ErrorDocument'), 'Key', 'ErrorDocument');
  if (root.RoutingRules !== undefined) {
    const rules = list(element(root.RoutingRules, 'RoutingRules').RoutingRule).map((r, i) => element(r, `RoutingRule #${i + 1}`));
    count(rules, 1, 100, 'RoutingRule');
    rules.forEach((rule, i) => {
      const at = `RoutingRule #${i + 1}`;
      const condition = element(required(rule, 'Condition', at), `${at}.Condition`);
      const code = optionalText(condition, 'HttpErrorCodeReturnedEquals', `${at}.Condition`);
      const prefix = optionalText(condition, 'KeyPrefixEquals', `${at}.Condition`);
      if ((code === undefined) === (prefix === undefined))
        throw CosErrors.malformedXml(`${at}.Condition needs exactly one of <HttpErrorCodeReturnedEquals> and <KeyPrefixEquals>`);
      if (code !== undefined && !/^4\d\d$/.test(code))
        throw CosErrors.invalidArgument(`${at}: HttpErrorCodeReturnedEquals "${code}" is not a 4xx status`);
      const redirect = element(required(rule, 'Redirect', at), `${at}.Redirect`);
      oneOf(optionalText(redirect, 'Protocol', `${at}.Redirect`), ['http', 'https'], `${at}.Redirect.Protocol`);
      oneOf(optionalText(redirect, 'URLRedirect', `${at}.Redirect`), STATUS, `${at}.Redirect.URLRedirect`);
      if (redirect.ReplaceKeyWith !== undefined && redirect.ReplaceKeyPrefixWith !== undefined)
        throw CosErrors.malformedXml(`${at}.Redirect takes <ReplaceKeyWith> or <ReplaceKeyPrefixWith>, not both`);
    });
    // GET answers each redirect with the URLRedirect COS fills in (Enabled): the official Python suite
    // compares GET ?website with exactly that.
    const filled = rules.map((rule) => {
      const redirect = element(rule.Redirect, 'Redirect');
      return { ...rule, Redirect: { ...redirect, URLRedirect: redirect.URLRedirect ?? 'Enabled' } };
    });
    return { ...root, RoutingRules: { RoutingRule: filled } };
  }
  return root;
};

export const referer: Validator = (root) => {
  oneOf(requiredText(root, 'Status', 'RefererConfiguration'), STATUS, 'Status');
  oneOf(requiredText(root, 'RefererType', 'RefererConfiguration'), ['Black-List', 'White-List'], 'RefererType');
  const domains = list(element(required(root, 'DomainList', 'RefererConfiguration'), 'DomainList').Domain).map((d) =>
    text(d, 'DomainList.Domain'),
  );
  count(domains, 1, 30, 'DomainList.Domain');
  if (domains.some((d) => d === '')) throw CosErrors.invalidArgument('a <Domain> is empty');
  oneOf(optionalText(root, 'EmptyReferConfiguration', 'RefererConfiguration'), ['Allow', 'Deny'], 'EmptyReferConfiguration');
  oneOf(optionalText(root, 'VerifySignatureURL', 'RefererConfiguration'), STATUS, 'VerifySignatureURL');
  // GET returns the defaults COS fills in.
  return {
    ...root,
    DomainList: { Domain: domains },
    EmptyReferConfiguration: root.EmptyReferConfiguration ?? 'Deny',
    VerifySignatureURL: root.VerifySignatureURL ?? 'Disabled',
  };
};

/** An empty <BucketLoggingStatus/> turns logging off: the handler deletes the record instead of storing this. */
export const logging: Validator = (root, ctx) => {
  if (root.LoggingEnabled === undefined) return root;
  const enabled = element(root.LoggingEnabled, 'LoggingEnabled');
  const target = requiredText(enabled, 'TargetBucket', 'LoggingEnabled');
  requiredText(enabled, 'TargetPrefix', 'LoggingEnabled');
  if (!ctx.bucketExists(target))
    throw CosErrors.invalidArgument(`<LoggingEnabled.TargetBucket> ${target} does not exist (the logs go to a bucket of the same region)`);
  return root;
};

export const inventory: Validator = (root, ctx) => {
  const id = requiredText(root, 'Id', 'InventoryConfiguration');
  if (id !== ctx.id) throw CosErrors.invalidArgument(`<Id> "${id}" differs from the id parameter "${ctx.id}"`);
  // COS reads the flag without regard to case: the official Python SDK's suite puts "True".
  oneOf(requiredText(root, 'IsEnabled', 'InventoryConfiguration').toLowerCase(), ['true', 'false'], 'IsEnabled');
  const destination = element(
    element(required(root, 'Destination', 'InventoryConfiguration'), 'Destination').COSBucketDestination ?? '',
    'Destination.COSBucketDestination',
  );
  oneOf(requiredText(destination, 'Format', 'COSBucketDestination'), ['CSV'], 'COSBucketDestination.Format');
  const bucket = requiredText(destination, 'Bucket', 'COSBucketDestination');
  if (!BUCKET_QCS.test(bucket))
    throw CosErrors.invalidArgument(`<COSBucketDestination.Bucket> "${bucket}" is not qcs::cos:<region>::<bucket>-<appid>`);
  if (destination.Encryption !== undefined) {
    const keys = Object.keys(element(destination.Encryption, 'COSBucketDestination.Encryption'));
    // COS's document names <SSE-COS>; the official Python SDK sends <SSECOS>, and its suite puts that to COS.
    if (keys.some((k) => k !== 'SSE-COS' && k !== 'SSECOS'))
      throw CosErrors.malformedXml('<COSBucketDestination.Encryption> takes only <SSE-COS> (or <SSECOS>)');
  }
  const schedule = element(required(root, 'Schedule', 'InventoryConfiguration'), 'Schedule');
  oneOf(requiredText(schedule, 'Frequency', 'Schedule'), ['Daily', 'Weekly'], 'Schedule.Frequency');
  oneOf(requiredText(root, 'IncludedObjectVersions', 'InventoryConfiguration'), ['All', 'Current'], 'IncludedObjectVersions');
  if (root.Filter !== undefined) element(root.Filter, 'Filter');
  if (root.OptionalFields !== undefined) {
    for (const field of list(element(root.OptionalFields, 'OptionalFields').Field)) text(field, 'OptionalFields.Field');
  }
  return root;
};

export const domain: Validator = (root) => {
  const rules = list(root.DomainRule).map((r, i) => element(r, `DomainRule #${i + 1}`));
  count(rules, 1, 100, 'DomainRule');
  const names = new Set<string>();
  rules.forEach((rule, i) => {
    const at = `DomainRule #${i + 1}`;
    oneOf(requiredText(rule, 'Status', at), ['ENABLED', 'DISABLED'], `${at}.Status`);
    const name = requiredText(rule, 'Name', at);
    if (!/^[A-Za-z0-9*]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)+$/.test(name))
      throw CosErrors.invalidArgument(`${at}: "${name}" is not a domain name`);
    if (names.has(name.toLowerCase())) throw CosErrors.invalidArgument(`${at}: the domain ${name} is listed twice`);
    names.add(name.toLowerCase());
    oneOf(requiredText(rule, 'Type', at), ['REST', 'WEBSITE'], `${at}.Type`);
    oneOf(optionalText(rule, 'ForcedReplacement', at), ['CNAME', 'TXT'], `${at}.ForcedReplacement`);
  });
  return root;
};

export const origin: Validator = (root) => {
  const rules = list(root.OriginRule).map((r, i) => element(r, `OriginRule #${i + 1}`));
  count(rules, 1, 100, 'OriginRule');
  rules.forEach((rule, i) => {
    const at = `OriginRule #${i + 1}`;
    positiveInteger(requiredText(rule, 'RulePriority', at), `${at}.RulePriority`);
    oneOf(requiredText(rule, 'OriginType', at), ['Proxy', 'Mirror', 'Redirect'], `${at}.OriginType`);
    const info = element(required(rule, 'OriginInfo', at), `${at}.OriginInfo`);
    requiredText(
      element(required(info, 'HostInfo', `${at}.OriginInfo`), `${at}.OriginInfo.HostInfo`),
      'HostName',
      `${at}.OriginInfo.HostInfo`,
    );
    if (rule.OriginParameter !== undefined) {
      const p = element(rule.OriginParameter, `${at}.OriginParameter`);
      oneOf(optionalText(p, 'Protocol', `${at}.OriginParameter`), ['HTTP', 'HTTPS', 'FOLLOW'], `${at}.OriginParameter.Protocol`);
    }
  });
  return root;
};

export const replication: Validator = (root) => {
  requiredText(root, 'Role', 'ReplicationConfiguration');
  const rules = list(root.Rule).map((r, i) => element(r, `Rule #${i + 1}`));
  count(rules, 1, 1000, 'Rule');
  uniqueIds(rules, 'Rule');
  rules.forEach((rule, i) => {
    const at = `Rule #${i + 1}`;
    oneOf(requiredText(rule, 'Status', at), STATUS, `${at}.Status`);
    requiredText(rule, 'Prefix', at);
    const destination = element(required(rule, 'Destination', at), `${at}.Destination`);
    const bucket = requiredText(destination, 'Bucket', `${at}.Destination`);
    if (!BUCKET_QCS.test(bucket))
      throw CosErrors.invalidArgument(`${at}: <Destination.Bucket> "${bucket}" is not qcs::cos:<region>::<bucket>-<appid>`);
  });
  return root;
};

/**
 * The official SDKs put the rule as <ApplySideEncryptionConfiguration>, COS's document (doc 436/40136) as
 * <ApplyServerSideEncryptionByDefault>; either is taken, and GET answers the latter, as the official
 * Python suite reads it.
 */
const APPLY = ['ApplyServerSideEncryptionByDefault', 'ApplySideEncryptionConfiguration'];

export const encryption: Validator = (root) => {
  const rules = list(root.Rule).map((r, i) => element(r, `Rule #${i + 1}`));
  count(rules, 1, 1, 'Rule');
  const rule = rules[0]!;
  const given = APPLY.filter((name) => rule[name] !== undefined);
  if (given.length !== 1) throw CosErrors.malformedXml(`<Rule> needs exactly one of <${APPLY.join('> and <')}>`);
  const apply = element(rule[given[0]!], given[0]!);
  const algorithm = requiredText(apply, 'SSEAlgorithm', given[0]!);
  oneOf(algorithm, ['AES256', 'KMS', 'SM4'], 'SSEAlgorithm');
  if (apply.KMSMasterKeyID !== undefined && algorithm !== 'KMS')
    throw CosErrors.invalidArgument('<KMSMasterKeyID> goes with SSEAlgorithm KMS only');
  return { Rule: { ApplyServerSideEncryptionByDefault: apply } };
};

export const accelerate: Validator = (root) => {
  oneOf(requiredText(root, 'Status', 'AccelerateConfiguration'), ['Enabled', 'Suspended'], 'Status');
  oneOf(optionalText(root, 'Type', 'AccelerateConfiguration'), ['COS'], 'Type');
  return root;
};

export const tagging: Validator = (root) => {
  const tags = list(element(required(root, 'TagSet', 'Tagging'), 'TagSet').Tag).map((t, i) => element(t, `Tag #${i + 1}`));
  count(tags, 1, 50, 'Tag');
  const keys = new Set<string>();
  tags.forEach((tag, i) => {
    const at = `Tag #${i + 1}`;
    const key = requiredText(tag, 'Key', at);
    const value = requiredText(tag, 'Value', at);
    if (key === '' || key.length > 127) throw CosErrors.invalidArgument(`${at}: the key must be 1 to 127 characters`);
    if (value.length > 255) throw CosErrors.invalidArgument(`${at}: the value must be at most 255 characters`);
    if (key.startsWith('qcs:') || key.startsWith('project'))
      throw CosErrors.invalidArgument(`${at}: the key prefix of "${key}" is reserved`);
    if (keys.has(key)) throw CosErrors.invalidArgument(`${at}: the key "${key}" is given twice`);
    keys.add(key);
  });
  return root;
};
