import JWTKit
import HummingbirdBcrypt
import Crypto
