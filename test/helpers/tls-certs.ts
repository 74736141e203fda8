/** TLS material for tests that talk HTTPS to a local server. */

/**
 * A self-signed certificate for 127.0.0.1 (P-256, valid until 2126), made for the tests with
 * `openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 36500
 * -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1`. Its key protects nothing.
 */
export const SELF_SIGNED_CERT = [
  '-----BEGIN CERTIFICATE-----',
  'MIIBkDCCATagAwIBAgIUD/hLaDhbJtGT1ZbsVqv341Icdo0wCgYIKoZIzj0EAwIw',
  'FDESMBAGA1UEAwwJMTI3LjAuMC4xMCAXDTI2MTIwNjExMTcyMFoYDzIxMjYxMTEy',
  'MTExNzIwWjAUMRIwEAYDVQQDDAkxMjcuMC4wLjEwWTATBgcqhkjOPQIBBggqhkjO',
  'PQMBBwNCAASb5L8plPVax4C5blNIQdSfzo81Hub0WwSmlj26uQfZM8+SSGUa2Pw4',
  'Qnbp2og0k0LAGoN46W5aAAmoU1GJYTx6o2QwYjAdBgNVHQ4EFgQU+DpSpUp2Z5w/',
  'LLs8LPgo5qpcUrAwHwYDVR0jBBgwFoAU+DpSpUp2Z5w/LLs8LPgo5qpcUrAwDwYD',
  'VR0TAQH/BAUwAwEB/zAPBgNVHREECDAGhwR/AAABMAoGCCqGSM49BAMCA0gAMEUC',
  'IEs6SXr4r3fZXoLT2ucmv/px2wnGmyKkfxTPwqhqDOM+AiEAu0LOAJIBMVeP7Lkg',
  'mViGd44Ep2QZ2xPji3K5empW9to=',
  '-----END CERTIFICATE-----',
].join('\n');
export const SELF_SIGNED_KEY = [
  '-----BEGIN PRIVATE KEY-----',
  'MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgDQ36dzTRmQDVzOif',
  'WsnuB0lxcVsYyFu57M9ucTA0Uz+hRANCAASb5L8plPVax4C5blNIQdSfzo81Hub0',
  'WwSmlj26uQfZM8+SSGUa2Pw4Qnbp2og0k0LAGoN46W5aAAmoU1GJYTx6',
  '-----END PRIVATE KEY-----',
].join('\n');

/** A second certificate for 127.0.0.1, made the same way: a server that the first one's CA does not vouch for. */
export const OTHER_CERT = [
  '-----BEGIN CERTIFICATE-----',
  'MIIBjzCCATagAwIBAgIUSC3VtRb88o92gNRLDGTOPyahsdwwCgYIKoZIzj0EAwIw',
  'FDESMBAGA1UEAwwJMTI3LjAuMC4xMCAXDTI2MTIwNzAyMDk1OFoYDzIxMjYxMTEz',
  'MDIwOTU4WjAUMRIwEAYDVQQDDAkxMjcuMC4wLjEwWTATBgcqhkjOPQIBBggqhkjO',
  'PQMBBwNCAARDBzy76dbOk8Akr4Gha0hJn6Hff96lP651G3idiBSI7+7LN7nXXYLY',
  'lRfpjRg4kOhc8aUBnKt/95WwK4JVIPdxo2QwYjAdBgNVHQ4EFgQUXNh/q8n+3aEy',
  'i1Xm+79/keZTPqMwHwYDVR0jBBgwFoAUXNh/q8n+3aEyi1Xm+79/keZTPqMwDwYD',
  'VR0TAQH/BAUwAwEB/zAPBgNVHREECDAGhwR/AAABMAoGCCqGSM49BAMCA0cAMEQC',
  'IBPcgesr7CgxkV/cTTJja62skDEovDgRoRddC8sHZ3sdAiB7a1pVuWZKSDiALhN+',
  'y0Bl9156+1kfkOEEFzuvynEQvg==',
  '-----END CERTIFICATE-----',
].join('\n');
export const OTHER_KEY = [
  '-----BEGIN PRIVATE KEY-----',
  'MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgvqjeiLb5nRon9mRO',
  'MM7DsfPKVXcLZzGYTxG0FBDJ5LqhRANCAARDBzy76dbOk8Akr4Gha0hJn6Hff96l',
  'P651G3idiBSI7+7LN7nXXYLYlRfpjRg4kOhc8aUBnKt/95WwK4JVIPdx',
  '-----END PRIVATE KEY-----',
].join('\n');
