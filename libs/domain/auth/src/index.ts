export { TokenModule } from './token.module';
export { TokenService, type IssuedToken, type VerifiedToken } from './token.service';
export { VerifiedTokens } from './verified-tokens';
export type { AuthUser, TokenClaims, UserRole } from './auth-user';
