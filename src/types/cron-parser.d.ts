// cron-parser's index also pulls in its file parser (which requires 'fs'); workflow code imports
// the expression parser module directly so the deterministic bundle stays free of Node builtins.
declare module 'cron-parser/dist/CronExpressionParser' {
  export { CronExpressionParser } from 'cron-parser';
}
