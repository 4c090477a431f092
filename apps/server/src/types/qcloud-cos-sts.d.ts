declare module 'qcloud-cos-sts' {
  interface CredentialOptions {
    secretId: string;
    secretKey: string;
    policy: unknown;
    durationSeconds?: number;
    region?: string;
    host?: string;
    endpoint?: string;
    proxy?: string;
  }
  interface CredentialResult {
    credentials: { tmpSecretId: string; tmpSecretKey: string; sessionToken: string };
    expiredTime: number;
    expiration?: string;
    startTime: number;
    requestId?: string;
  }
  const STS: {
    getCredential(options: CredentialOptions): Promise<CredentialResult>;
    getRoleCredential(options: CredentialOptions & { roleArn: string }): Promise<CredentialResult>;
  };
  export default STS;
}
