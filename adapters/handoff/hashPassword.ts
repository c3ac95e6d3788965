/**
 * Prints the scrypt hash of a password for AGENT_CREDENTIALS:
 *   npx tsx adapters/handoff/hashPassword.ts '<password>'
 * then set AGENT_CREDENTIALS="alice:<printed hash>:Display name".
 */
import { hashPassword } from './auth';

const password = process.argv[2];
if (!password) {
  process.stderr.write('usage: npx tsx adapters/handoff/hashPassword.ts <password>\n');
  process.exit(2);
}
process.stdout.write(`${await hashPassword(password)}\n`);
