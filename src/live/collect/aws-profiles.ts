/**
 * The profiles the AWS shared config and credentials files define, read the way the SDK finds
 * them (AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/config and ~/.aws/credentials):
 * so a failure with `--profile NAME` can say there is no such profile instead of "log in again".
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { SharedProfiles } from '../errors.ts';

/** Section names of an INI file: `[name]` lines, trimmed. */
function sections(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  return [...text.matchAll(/^\s*\[([^\]\n]+)\]/gm)].map((m) => m[1]!.trim());
}

export function readSharedProfiles(env: NodeJS.ProcessEnv = process.env, home = homedir()): SharedProfiles {
  const configFile = env.AWS_CONFIG_FILE || join(home, '.aws', 'config');
  const credentialsFile = env.AWS_SHARED_CREDENTIALS_FILE || join(home, '.aws', 'credentials');
  const names = new Set<string>();
  // The config file names profiles `[profile NAME]` (and `[default]`); `[sso-session …]` and
  // `[services …]` are not profiles.
  for (const section of sections(configFile)) {
    const profile = /^profile\s+(.+)$/.exec(section);
    if (profile) names.add(profile[1]!.trim());
    else if (section === 'default') names.add(section);
  }
  // The credentials file names them bare.
  for (const section of sections(credentialsFile)) names.add(section);
  return {
    names,
    files: [configFile, credentialsFile],
    ...(env.AWS_PROFILE ? { envProfile: env.AWS_PROFILE } : {}),
  };
}
