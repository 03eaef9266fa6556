import { findPostgresBinDir } from '@opperator/testing';

/** Why the Postgres tests skip: only when PostgreSQL is not installed at all (scripts/setup.sh installs it). */
export const postgresMissing: string | undefined = (await findPostgresBinDir()) === undefined ? 'PostgreSQL is not installed (apt install postgresql; see scripts/setup.sh)' : undefined;
