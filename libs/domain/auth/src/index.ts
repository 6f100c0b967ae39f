export { TokenModule } from './token.module';
export { TokenService, type IssuedToken } from './token.service';
export type { AuthUser, TokenClaims, UserRole } from './auth-user';
