//! FEAT_I8MM (SMMLA, UMMLA, USMMLA, USDOT, SUDOT), FEAT_SM3 and FEAT_SM4:
//! table rows (expected values from a reference execution of each word,
//! including edge values where products and sums wrap), encodings that
//! must stay undefined, and known-answer tests that run SM4 and SM3 through
//! the instructions and compare with the standards' examples (GB/T
//! 32907-2016 appendix A for SM4, GB/T 32905-2016 appendix A for SM3).

use super::crypto_known_answers::{be_words32, hex, lane32, padded_abc_64, words32, Machine};
use super::{check, check_undefined, R::*};

#[test]
fn i8mm_sm3_sm4_table() {
    check(&[
    ("smmla v0.4s, v1.16b, v2.16b", 0x4e82a420, &[V(0, 0x8687b18d8ce14c8b6edd3a249018775a), V(1, 0x3fe6e7be9ba057171ed40c227dab7ad2), V(2, 0x2d38de7c3bec5519cb674d999253f6b7), V(3, 0xbafcaba920f0ac5c57b39e4dbda513bd), V(7, 0xa93f99f2e8a4987e06082c084826f652), V(15, 0x70db71c4a6d5169ee2c532cf9756a036), V(31, 0x7f5364eb98d00ba6b51d8b61ea81606d)], &[V(0, 0x8687a9a58ce14a646edd8c2190180c73), Fpsr(0x0)]),
    ("smmla v0.4s, v1.16b, v2.16b", 0x4e82a420, &[V(0, 0x88b065e74dd5a9ec0b0084f7de574f6d), V(1, 0x187e81ac2c112e79373020538dcceab0), V(2, 0x6acc5fa209ae3ad42d4cc06b3a1290fc), V(3, 0x374cc47ee0d33d024285a3e8267133ee), V(7, 0x40eb60ed801cf3574e9ac62aa1b018a7), V(15, 0xb4d343a84b68f1c71dba58587dc7abbe), V(31, 0xf78a2b517d521eaf4df03e1122d5189b)], &[V(0, 0x88b037b04dd5c5560b0094c4de576f33), Fpsr(0x0)]),
    ("ummla v0.4s, v1.16b, v2.16b", 0x6e82a420, &[V(0, 0x9c3572d8d8a33341189c32bf71c61315), V(1, 0xe0c18e67ea435e559f81d902837a0c10), V(2, 0xf7525481775fdcc1ade2c9dbcbfa5cd5), V(3, 0x999753ea56fca68d353e81ce74592c37), V(7, 0xa5c7bac6a99bd634ada11e9451fc914b), V(15, 0x87e15dc4738be54072ce2b9581ba40bb), V(31, 0xbba06c4cbb847ea73ddf5687b4ae07d4)], &[V(0, 0x9c3801c9d8a6a01b189dbe3b71c88d26), Fpsr(0x0)]),
    ("ummla v0.4s, v1.16b, v2.16b", 0x6e82a420, &[V(0, 0x9c0109457924d5d63e2b585df625e510), V(1, 0x62bfc05ac8e65212fbc17bff601f4696), V(2, 0xf3660c08c2c0cf0e7f31f3257b05dee5), V(3, 0x57c0bf6c0b9dbe79ceb56d9160effb82), V(7, 0x29d22e1fc83b786d700d83f57c8ded0), V(15, 0xfe662778b674d90d30f3b4ff76760431), V(31, 0x7286e92584e9cb7108aea221324c266)], &[V(0, 0x9c03458f7926aa113e2d420ef62811bf), Fpsr(0x0)]),
    ("usmmla v0.4s, v1.16b, v2.16b", 0x4e82ac20, &[V(0, 0x636feb0ce7e56d537bafa7fc3425bec4), V(1, 0x88cea9fee945a791c84b039cbae0e87b), V(2, 0xdaa0e46bb15779ced056c66c37316c00), V(3, 0xaa880385d606563ec42416dda1204208), V(7, 0x4032fe3bfee1ca6886c074ecdeaa3171), V(15, 0xbd1c8831be873bab0c7450763c375d47), V(31, 0x3741f3ae8d7fd0c6ae160fd5f6ddf0b8)], &[V(0, 0x636fe373e7e6639d7bb017683426a84e), Fpsr(0x0)]),
    ("usmmla v0.4s, v1.16b, v2.16b", 0x4e82ac20, &[V(0, 0x9b43380af1de1d008d1af78861e2412c), V(1, 0xd6f0e60c2d36caa19ec92e15cfdc20f3), V(2, 0x74612510418466b578fa89d52bbedfc5), V(3, 0xf530d78640c58b8c3a27cceb7bf464dd), V(7, 0x704b041330cc96845ed2fce29c476bc9), V(15, 0x36bfb6b9d2a829de1317e2c8d419f8d7), V(31, 0x2e28cc720318fb7795e40570f7d5068d)], &[V(0, 0x9b442886f1ddc9408d1b22cd61e21b89), Fpsr(0x0)]),
    ("smmla v7.4s, v7.16b, v7.16b", 0x4e87a4e7, &[V(0, 0xdf91e44a7ee9d805131dad12b0149b4c), V(1, 0xcb1bb61960448e56b134aa70ff0ec4a8), V(2, 0xc8344c9faf79fa817c43230ec5b1a4ab), V(3, 0x204c1bfd485a61c204c711fe703b43bf), V(7, 0x973f83deb892e89ac98b708c43c12b59), V(15, 0x626e45b403d1bb54fd5e42c14e93334f), V(31, 0xbbca868e543329ec0924faaf8b4b122c)], &[V(7, 0x97406e65b8929bd2c98b23c443c21967), Fpsr(0x0)]),
    ("usmmla v31.4s, v15.16b, v31.16b", 0x4e9fadff, &[V(0, 0x13d13cbc6ae890c79b1eb53b188b2fc3), V(1, 0x57a05468390cd11729bc2b8eb78d1e7e), V(2, 0xa120dacebfcad4d1247200a8c4a83609), V(3, 0x905309318752412b69b83a102febab13), V(7, 0x1c8795618832da04782c95c7648d2a49), V(15, 0x622d292805230f5f35e760730c175ed), V(31, 0xb736912e66c8972214e09c45cbee01)], &[V(31, 0xb6e28c2e6687de2214b66245cbe1d1), Fpsr(0x0)]),
    ("usdot v0.4s, v1.16b, v2.16b", 0x4e829c20, &[V(0, 0x3f4c73e75680035ef582753ae90c2d8a), V(1, 0x7b8d7d8036a1b1ee71369e319aea401e), V(2, 0x265525e74b94aefa32f6dd7927009bf7), V(3, 0x190fe42ee82396a72b846a85b742db00), V(7, 0x18ab4fd0304f150b636a617b53c74dbd), V(15, 0xabfd080c480c892d936b2a3ca268ae93), V(31, 0x8264eb27694487f3aaf33bc5363f3ee)], &[V(0, 0x3f4cba8b567f90fef5828abfe90c2ab2), Fpsr(0x0)]),
    ("usdot v0.4s, v1.16b, v2.16b", 0x4e829c20, &[V(0, 0x3f9fe29e66590cc12a052b0728ed59cc), V(1, 0x213dbadc75088a2f8177a77793a4e65a), V(2, 0x5a7235ddfa945f20397334accb9d7a58), V(3, 0xd9783d197b994c9a30fde5c015fcbb), V(7, 0xa9a340633e5674f410dc462c91610c4b), V(15, 0x7dd6005f47c971dba88f09a1fdb11d28), V(31, 0x423279e6233fc5c99657ec10737bc2c6)], &[V(0, 0x3fa011d066593fb92a05781528ed887d), Fpsr(0x0)]),
    ("usdot v0.2s, v1.8b, v2.8b", 0x0e829c20, &[V(0, 0xb4223cc96e39cbfed9b6e0b1f5e5836a), V(1, 0x61bc5602a2547e826a5246ede2048a4d), V(2, 0xeef5f12d89167314b4f05a285bf05b25), V(3, 0x9c1e11896f1eb3a5e1241ab5dce825d7), V(7, 0xc173f5ee67ccb7cc25eabd18efb5f6b8), V(15, 0x783be2660c7def51b5c61a9d41026483), V(31, 0x4ee7b6e089b77a3053507fb1dd8a2a7b)], &[V(0, 0xd9b6f9bdf5e60faf), Fpsr(0x0)]),
    ("usdot v0.2s, v1.8b, v2.8b", 0x0e829c20, &[V(0, 0xd7ec91993544fb141b73fbf5d526005b), V(1, 0xf2cecde27faa631144bfb2f1ce96793f), V(2, 0xb904498d52c737f301e4d0c2555ebbc6), V(3, 0xa6a856c508b02e97052689329345c1cb), V(7, 0x3d90594d6ad27635b2dffc3eb2ddd13d), V(15, 0x62e2511a49854b29749944db15b0941), V(31, 0xb8fe74b812b5bc84c59baad2975a547d)], &[V(0, 0x1b738b97d5264cf2), Fpsr(0x0)]),
    ("usdot v0.4s, v1.16b, v2.4b[3]", 0x4fa2f820, &[V(0, 0x2e65be59d22c6c0a2a54a294f3d9c815), V(1, 0x23c975e7a3b1853178e5d26c91ac3fe4), V(2, 0xce7e1f8eb768128ab2d9146e8d17908c), V(3, 0x844ec473136e861e93df9d68fd5f980), V(7, 0x30b5ccc4d2cc8ad198e458e39c67479f), V(15, 0x5df1eec9b2bf3b64dd33d7019a79d529), V(31, 0x1a95a7dd9b620941745d884a58809832)], &[V(0, 0x2e65c1bed22c9d9b2a54e530f3d9a284), Fpsr(0x0)]),
    ("usdot v0.4s, v1.16b, v2.4b[3]", 0x4fa2f820, &[V(0, 0x1a6b0179848fbb646f6232f6179bd642), V(1, 0x29550188dbdc396e930245314094c992), V(2, 0x485b90636f0ed2f46c8d203807ee601e), V(3, 0x24f61b69479c8ce55300669124ac42c1), V(7, 0x60874b564c29d23ab992982948c25b9f), V(15, 0x6cf250c88707f6a53f69265ca33d8509), V(31, 0x89eef789e4b791c35145b3c1719ad0e0)], &[V(0, 0x1a6b5f60849058ca6f6251c7179bfd64), Fpsr(0x0)]),
    ("usdot v0.2s, v1.8b, v31.4b[1]", 0x0fbff020, &[V(0, 0xd2ee9a23ffcea7e7202600f5974f47b5), V(1, 0x7e562c44c85ed85685bdf78801a5d61), V(2, 0x804b72867bc237f17e8b455214085b44), V(3, 0x597621b03c2f3bda4bfee19dc5652f67), V(7, 0x59bd160b94b18f4957194db82a361242), V(15, 0x84c0768dc4915189192d3911779d12ad), V(31, 0x7f57feff129acadd51eb85d112fcca27)], &[V(0, 0x20259939974f2f95), Fpsr(0x0)]),
    ("usdot v0.2s, v1.8b, v31.4b[1]", 0x0fbff020, &[V(0, 0x47fe2aa5d28b5f728e11a4634eb1844), V(1, 0x9e221e841d304fb6e521e04e671a536d), V(2, 0x38122462b7e363b659b15f768e8fba37), V(3, 0xa083224ef3966e3c2c2e439dab889bec), V(7, 0x85836a99a48e0b146a39dabae9af693c), V(15, 0x958a84feedcf144383f950925b6322e7), V(31, 0x15224b58ce3a65bf7b7a1a6e747419e5)], &[V(0, 0x28e1d04b34eb8d69), Fpsr(0x0)]),
    ("sudot v0.4s, v1.16b, v2.4b[0]", 0x4f02f020, &[V(0, 0xd3556f8f84997872fbbdf4b58c9e5674), V(1, 0x3fd4ce3fb90e084220b3db26d16b212c), V(2, 0x586ec283ee569bfa4343d98044d26a3a), V(3, 0x67453d94b224c4bc501272a2ef62ec87), V(7, 0x4420c16a167e86f4d19508a21136fb99), V(15, 0xf97dca4c4a38eb2e864033a5b878cee3), V(31, 0xa1ee3a00805648f6c1fd22735aa8b40)], &[V(0, 0xd35555c584998356fbbdb7558c9eb960), Fpsr(0x0)]),
    ("sudot v0.4s, v1.16b, v2.4b[0]", 0x4f02f020, &[V(0, 0xfe68180259124cf16883523b7ce38882), V(1, 0x36e8b37d12018e21a18f49a314970a38), V(2, 0xbfa51aa5ad4ee2f86bb07250d0f6fa9b), V(3, 0x11d5dc1f3c4299de991ea71894ec7629), V(7, 0x7d3f0b209cefe8d48fe06ebe79cd8603), V(15, 0x6911c651e99efa7af6cc6e93aca53f80), V(31, 0x35a7aefbb5c63276c5a4529c66852f96)], &[V(0, 0xfe682d4f5912012e6882a7707ce35f88), Fpsr(0x0)]),
    ("sudot v0.2s, v1.8b, v31.4b[2]", 0x0f1ff820, &[V(0, 0x9ce0f83a92459ce3eb2550b60fc96c7b), V(1, 0x6a14d8c74e8e8eadf5a4ee86a9739df3), V(2, 0x77f4f3b314235c704b90bcff270a68b0), V(3, 0x2a6a8c13ad8292b75457ce47537c55c6), V(7, 0xecece9180b5146ec44edcde14aa2d7b1), V(15, 0x9ba2541dd1f02cfb4851ba9899cb37b), V(31, 0x13b524fd07101f7d41f88dff91a5641d)], &[V(0, 0xeb250ce90fc95ef4), Fpsr(0x0)]),
    ("sudot v0.2s, v1.8b, v31.4b[2]", 0x0f1ff820, &[V(0, 0x7bbc32eaf3aa5bca108bd4be65a47ac4), V(1, 0x4465dc706a05922ce4b52d42c99e4380), V(2, 0xae81099adcb094cf11b6e79b0db10aa), V(3, 0xbc45a75e7e31ec942279d09e931a017d), V(7, 0x9181c5cbf27f8e2e034fcc6c6fa2b539), V(15, 0x54455181fe75da2016b0162a19c52be6), V(31, 0x2a47435b852132a7d38659fc8ea99cb6)], &[V(0, 0x108bf05f65a40b25), Fpsr(0x0)]),
    ("sudot v0.4s, v1.16b, v31.4b[1]", 0x4f3ff020, &[V(0, 0x35088c7769ce81057c2ab54c5aa20ce1), V(1, 0xd6bf579dbfdab87d3cd1908eb86dfa99), V(2, 0x3e02f877cc9cac32a5efb2d91ea33883), V(3, 0x138c1b3eec77e7bb465a29a9e51b0783), V(7, 0x8480460da90770e04d018f6e090ebc70), V(15, 0xf59184de276291ffbb486ee8165f1602), V(31, 0xd06873f5bcbf9a68ca714afa020e9e75)], &[V(0, 0x3508071a69cea2377c2a40315aa19ddc), Fpsr(0x0)]),
    ("sm3ss1 v0.4s, v1.4s, v2.4s, v3.4s", 0xce420c20, &[V(0, 0xca92be3ab051cb2500fe440379806268), V(1, 0x373bdeb5f7c2dc0a8dad4a1329cce46e), V(2, 0xfaf2062ac8b5446a8b5fa5874e7fe5d4), V(3, 0xd4769638b8556778073956ec18e12604), V(7, 0x4649c3a55b8e9f209241f5434235b409), V(15, 0xf215b706e5fba3a19e0af3456dc7a613), V(31, 0x8f4b8505e464ed6e5d6ac0aa2bd26a22)], &[V(0, 0xa9f7eac6000000000000000000000000), Fpsr(0x0)]),
    ("sm3ss1 v0.4s, v1.4s, v2.4s, v3.4s", 0xce420c20, &[V(0, 0xd530093f6e761b6d02cf12fae2871560), V(1, 0x73031d09d71591596e4a0f05ead150a8), V(2, 0xbfee7a28840f8328f78b385f08cec61d), V(3, 0xcca4ecc6a1c4ea4f55675967178e1f18), V(7, 0x20d3bb91ff962e112524bda088df3ef5), V(15, 0xbbfdb2110b31d0eaec760e01f5d53dd2), V(31, 0x4c0812e2a8dae9158921f347645b5009)], &[V(0, 0x31ff0f5f000000000000000000000000), Fpsr(0x0)]),
    ("sm3tt1a v0.4s, v1.4s, v2.s[0]", 0xce428020, &[V(0, 0xb50f51528a4bdc888635cdea79c61765), V(1, 0xa10837dc6b8efc4044a914977b0ed42e), V(2, 0xb23b813b770257e932d49d43da435404), V(3, 0xc6b006d7ed7ecb693a617a6106d1cee8), V(7, 0x2dd9d998f0e9709c103192031dbe6665), V(15, 0x58d32aaeab364ca29eb51fc857d4a96c), V(31, 0x32c116a61d9dde19d6f527257ba2b00b)], &[V(0, 0x6197c825b50f515297b911148635cdea), Fpsr(0x0)]),
    ("sm3tt1a v0.4s, v1.4s, v2.s[3]", 0xce42b020, &[V(0, 0x732a3d476b7313cbc6ab73553ee7bc5b), V(1, 0x570b5e067c7443dee943ea7015c97597), V(2, 0xfd0bb6e218fb385e005009a848562a1a), V(3, 0xb8c233f33873346f7559cb5209c90cd3), V(7, 0x510a1b4601f4b09b96e9bdcd26acc3d5), V(15, 0x1d3c3d61e21213e17af35d876317b74b), V(31, 0x35caae7272ccb9f2f39cfaa7193a26cc)], &[V(0, 0xfc4fa4a732a3d47e62796d6c6ab7355), Fpsr(0x0)]),
    ("sm3tt1b v0.4s, v1.4s, v2.s[1]", 0xce429420, &[V(0, 0x8fcc69bf83f972c71e0af55d902e6a71), V(1, 0x100436595f06ed421f8164f6705551bf), V(2, 0x58d0a6d33dfb17db775b6231d46faaf0), V(3, 0xbe5f9597b8f23f0307f5d083f319973d), V(7, 0x9b1f2c9975d24dc59f247a45a03aca2), V(15, 0x663b2036e25789fd467625bdc5320b5d), V(31, 0x4292960c2f1e5771c4041ccf838c8db5)], &[V(0, 0x6df20d268fcc69bff2e58f071e0af55d), Fpsr(0x0)]),
    ("sm3tt1b v0.4s, v1.4s, v2.s[2]", 0xce42a420, &[V(0, 0x8402241e423ea72db3f86db11e17a8d1), V(1, 0x45602e5115f56c9a406e11724245d8a7), V(2, 0x98b5e1b716e9be9a2d14149e66847305), V(3, 0xd35261621c18fdee300c3ed2064c56cf), V(7, 0xb1b7191d8d6adc727f429d43bad0b09a), V(15, 0x3b258878d4f39a4cc8a70a0eeb5555ac), V(31, 0x156efc8ab04451e592639ff8a46fb574)], &[V(0, 0x1e5d52b98402241e7d4e5a84b3f86db1), Fpsr(0x0)]),
    ("sm3tt2a v0.4s, v1.4s, v2.s[2]", 0xce42a820, &[V(0, 0x4736206e6e5e35bc9a93b2982b82c614), V(1, 0xd4f03d71e26bf620f51632a0c004e6b5), V(2, 0x1caba67d7badbd266537fc9bd166ae98), V(3, 0x30350ba3d39c231c2b46e4509f14b8e9), V(7, 0x9a4abd539c7f3354a541016bcf532da8), V(15, 0xf2d75607eb539e9a751a2f6945a42467), V(31, 0xb324f43443652d40265cacb1da260524)], &[V(0, 0xc739edad4736206eade372f19a93b298), Fpsr(0x0)]),
    ("sm3tt2a v0.4s, v1.4s, v2.s[0]", 0xce428820, &[V(0, 0x9646fe6425600dd0bbedbbe7783b741c), V(1, 0xb8c0041ff78776613bcb71556ec081b2), V(2, 0x52c62eef22a13f84c96cde86bfcfe4aa), V(3, 0xf98a9b84464231c8e7cfdc0547d73140), V(7, 0xae3aa36cbff82bead4a674e0a4bc8a9f), V(15, 0xdf9df1e67edf08edff8729aabb14fe05), V(31, 0x36a71beacd2da8f0407913af68f317b8)], &[V(0, 0x9ead27e69646fe646e812b00bbedbbe7), Fpsr(0x0)]),
    ("sm3tt2b v0.4s, v1.4s, v2.s[3]", 0xce42bc20, &[V(0, 0xbdd0f6837c03caf1aad2ff6ab0a6da4d), V(1, 0x2eb4fc4941d8d5d6cff272bdc42f30c4), V(2, 0x2b9c2022ecd96469661e554ac628b945), V(3, 0x247a973acf959efa50938d80eaa9f54a), V(7, 0xead7834cb03802a176cd94c6ce20d839), V(15, 0x39c972254f6ceb77334d7de665d8c51a), V(31, 0x8785a89933fe5e5c85cf12e1190fe662)], &[V(0, 0x383d11c5bdd0f683578be01eaad2ff6a), Fpsr(0x0)]),
    ("sm3tt2b v0.4s, v1.4s, v2.s[1]", 0xce429c20, &[V(0, 0x5b1b6d37bdaea4b1967a349082f4336c), V(1, 0x627f2927b1497336232bfd7488eb603f), V(2, 0x1912d838e0ba0afdd9bf714570caed41), V(3, 0xbcec84528dff6a94a2a39069c3b5696e), V(7, 0x47fa42548fc876a40d71baadb3957939), V(15, 0x73ade1ea82628e02ebdb21dc27ff9424), V(31, 0x665f33cc594e52c0e090228ee2797912)], &[V(0, 0x638aa90a5b1b6d37258ded75967a3490), Fpsr(0x0)]),
    ("sm3partw1 v0.4s, v1.4s, v2.4s", 0xce62c020, &[V(0, 0xc61553c3600d4113d528273733f0b649), V(1, 0x2c9ae0b94e75905823fa7dc0b1bd3b43), V(2, 0x16c50abc4d61863aa2f73175924d0524), V(3, 0xdef78437b9e95e46dc209a9efa18f12c), V(7, 0x7cfbb5ebdb11605ff90dbff71ff10734), V(15, 0xbaadf7b29f60bcba8fb2e443e503babb), V(31, 0xc5731f9d90c08d6f2a08fc54d69f080f)], &[V(0, 0xe8afc44fd2e79cd7a876011e8c42aaa4), Fpsr(0x0)]),
    ("sm3partw1 v0.4s, v1.4s, v2.4s", 0xce62c020, &[V(0, 0x81e478973de0527bf3717df683d51665), V(1, 0x4dda4d139e76bf6cf68846ff3d13e839), V(2, 0x91d2a154b3b23f88d75c9d2cb78276e7), V(3, 0x5e076b8c90d6b3e3c894028e0568cfd3), V(7, 0x396e015ae32931083bebbd28f9ab43ad), V(15, 0xaeea17de396beed0cc061a1f88d94376), V(31, 0x3b4304f30d49b725b414a9f68079f4dd)], &[V(0, 0x12d7781d5eba4232c358717f43d1c590), Fpsr(0x0)]),
    ("sm3partw2 v0.4s, v1.4s, v2.4s", 0xce62c420, &[V(0, 0x987502aba1fab80373815e0649ceb6c5), V(1, 0x77020e631e0beb229ea5ecfeae3e40eb), V(2, 0xf4caa314940588a1068db1424005308a), V(3, 0xd530cdbf421bac897847f1409f462910), V(7, 0xc342e9b6386b23b55ece12e4afc44b5b), V(15, 0x1f8976ffa8a69cfbf1fcf2a0929f0d82), V(31, 0x67f443e0576cfa7e0e8484c9f5163428)], &[V(0, 0x4a6ba378bd3503ebabfc13fbe568b30e), Fpsr(0x0)]),
    ("sm3partw2 v0.4s, v1.4s, v2.4s", 0xce62c420, &[V(0, 0x94d52f3d23e66dd5167d02e31e726214), V(1, 0xd76eca15cc861abc82566363a0aac9bf), V(2, 0x65aeea81714a89bb464e813d77e1bd98), V(3, 0xb24ff26b98c1ef290ba9ef2da5d6308d), V(7, 0x982997dd66c872c30aabd6a51c15b84), V(15, 0xbc8fd199f3e26b230f4087ee6fc03cef), V(31, 0x6f91e6d9696764dcebffd23eab2ccc48)], &[V(0, 0x9f10edd54a24aad1b36bff234e066790), Fpsr(0x0)]),
    ("sm4e v0.4s, v1.4s", 0xcec08420, &[V(0, 0x3a3354b8c081786b15f3a3ad17ccaabc), V(1, 0x93dfa7d8aa589789c9414ff79e800c72), V(2, 0xe9ec54e88bb224d9e8df086e3c6c5de9), V(3, 0xd3c51726a72e58323765ed98080a8b6c), V(7, 0xf46f7e120ea5f87d56f40b1d32561b59), V(15, 0x133e5cd62f23596a654cd650a652d98e), V(31, 0x39e39ab607ce6a73fb73360a10f5893d)], &[V(0, 0x3a7b5915db2270f25ff3c6318508b89), Fpsr(0x0)]),
    ("sm4e v0.4s, v1.4s", 0xcec08420, &[V(0, 0x83350d1c426545d7795f917ca80caf2f), V(1, 0x1a21e170ab7de75304e8e84538532cc0), V(2, 0x48099e28e2b6b4875ac7143b366f4b42), V(3, 0xaa17e1da7931f8cc08e8e344ae27a92a), V(7, 0x9149057daf02026cf8a6bff8912450c7), V(15, 0xcb7b2af0d8bf2932b64ba7ae6836afbc), V(31, 0x86e82e523a4a51a1f7b4c6c572c36e0d)], &[V(0, 0x932ee2d25f8e6cf1026e83980b6f9080), Fpsr(0x0)]),
    ("sm4ekey v0.4s, v1.4s, v2.4s", 0xce62c820, &[V(0, 0x164965f3bd658acd605c3aba11361998), V(1, 0x9d0824fb161cb12cafa0a5e4db70b65e), V(2, 0xbc872e1e989a455f449a4acbe582e21), V(3, 0x5b7170f63091ae2eea2f7d291d6233df), V(7, 0xb28dde15c52776979cb73c95f08a90c2), V(15, 0x9055f15b4ecae3b5814733d2243581b3), V(31, 0x2f6b5c242d215beaac613a2650648836)], &[V(0, 0x273c955ca0f0a6175cf175e047f941f), Fpsr(0x0)]),
    ("sm4ekey v0.4s, v1.4s, v2.4s", 0xce62c820, &[V(0, 0x34fa20930e426a6f7f9f96dc3dbd4882), V(1, 0x7f7d8d8fc8bb292f4a864e12d73340a), V(2, 0x5e25e488e68bf137b28d5f243914df1f), V(3, 0x8b070745bab0e0b54d3ac7947a16f0aa), V(7, 0xedc170c3c25fd5b26c2d3b17a8b42244), V(15, 0xcbe3a5c9a149d89acefd3fb31506732a), V(31, 0x97cfdc084dcd9ec3b5adba846fed5a3b)], &[V(0, 0x95141c1098c09bb183052e1592b16e25), Fpsr(0x0)]),
    ("sm4e v3.4s, v3.4s", 0xcec08463, &[V(0, 0x6cc5ea119585d1f397507597f1ad029b), V(1, 0xec108b75c46c9f47d6f92b20ad0a40e6), V(2, 0x7b91dd9d3a9292f79bdc50618175d5ae), V(3, 0xba377abd8cfa62906df49646af0f27a2), V(7, 0xc8448a99672461e51e945b8ce5d78dbd), V(15, 0x85c372b37d6b413a4ae93ec623e0696a), V(31, 0x14edba87f07c83b82cc42e642519b9ca)], &[V(3, 0x4e6fc6518041972e64a6923aa0bece7d), Fpsr(0x0)]),
    ("sm4ekey v3.4s, v3.4s, v3.4s", 0xce63c863, &[V(0, 0xc15d6555a4d4ccbe4a3d2bd748e95035), V(1, 0x44c501c8da740e736f4ffdda309621b5), V(2, 0xb0653040e0d8495205325904d655c637), V(3, 0x6439bbbe39a0fae94b81dbca41df88bb), V(7, 0x3011350fe08e22899ac69492e7227aae), V(15, 0xe4b38be9514c8d1f7eb8ca0eb93624b6), V(31, 0x229ad1eb9ffc5a4ac348ab0d8ba10452)], &[V(3, 0x4a54655406788dfae2694f0675b6bc81), Fpsr(0x0)]),
    ("smmla v0.4s, v1.16b, v2.16b", 0x4e82a420, &[V(0, 0x7fffffff7fffffff7fffffff7fffffff), V(1, 0x80808080808080808080808080808080), V(2, 0x80808080808080808080808080808080)], &[V(0, 0x8001ffff8001ffff8001ffff8001ffff), Fpsr(0x0)]),
    ("ummla v0.4s, v1.16b, v2.16b", 0x6e82a420, &[V(0, 0xffffffffffffffffffffffffffffffff), V(1, 0xffffffffffffffffffffffffffffffff), V(2, 0xffffffffffffffffffffffffffffffff)], &[V(0, 0x7f0070007f0070007f0070007f007), Fpsr(0x0)]),
    ("usmmla v0.4s, v1.16b, v2.16b", 0x4e82ac20, &[V(0, 0x0), V(1, 0xffffffffffffffffffffffffffffffff), V(2, 0x80808080808080808080808080808080)], &[V(0, 0xfffc0400fffc0400fffc0400fffc0400), Fpsr(0x0)]),
    ("usdot v0.4s, v1.16b, v2.16b", 0x4e829c20, &[V(0, 0xffffffffffffffffffffffffffffffff), V(1, 0xffffffffffffffffffffffffffffffff), V(2, 0x80808080808080808080808080808080)], &[V(0, 0xfffe01fffffe01fffffe01fffffe01ff), Fpsr(0x0)]),
    ("usdot v0.2s, v1.8b, v2.4b[1]", 0x0fa2f020, &[V(0, 0xffffffffffffffffffffffffffffffff), V(1, 0xffffffffffffffffffffffffffffffff), V(2, 0x7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f)], &[V(0, 0x1fa030001fa03), Fpsr(0x0)]),
    ("sudot v0.4s, v1.16b, v2.4b[3]", 0x4f22f820, &[V(0, 0x80000000800000008000000080000000), V(1, 0x80808080808080808080808080808080), V(2, 0xffffffffffffffffffffffffffffffff)], &[V(0, 0x7ffe02007ffe02007ffe02007ffe0200), Fpsr(0x0)]),
    ("sm4e v0.4s, v1.4s", 0xcec08420, &[V(0, 0x0), V(1, 0x0)], &[V(0, 0xc7c7c7c79c9c9c9c2d2d2d2d5b5b5b5b), Fpsr(0x0)]),
    ("sm3partw1 v0.4s, v1.4s, v2.4s", 0xce62c020, &[V(0, 0xffffffffffffffffffffffffffffffff), V(1, 0x0), V(2, 0xffffffffffffffffffffffffffffffff)], &[V(0, 0xffffffff000000000000000000000000), Fpsr(0x0)]),
    ]);
}

#[test]
fn i8mm_sm3_sm4_unallocated_neighbours() {
    check_undefined(&[
        0x0e82_a420, // SMMLA with Q = 0
        0x2e82_a420, // UMMLA with Q = 0
        0x6e82_ac20, // USMMLA slot with U = 1
        0x6e82_9c20, // USDOT slot with U = 1
        0x4e42_a420, // SMMLA slot with size = 01
        0x4ec2_a420, // SMMLA slot with size = 11
        0x5e82_9c20, // USDOT, scalar
        0x5f82_f020, // USDOT by element, scalar
        0xce42_c020, // SM3TT slot with bits 15:14 = 11
        0xce42_f020, // the same, other opcode
        0xce60_cc20, // SM3PARTW1/2, SM4EKEY group, opcode 11
        0xce60_d020, // the same group with bits 15:12 = 1101
        0xcec0_8820, // SHA512SU0/SM4E group, opcode 10
        0xcec0_8c20, // the same group, opcode 11
        0xcec1_8420, // SM4E with bits 20:16 nonzero
    ]);
}

// Encodings with every register field zero (from the reference assembler).
const EOR_16B: u32 = 0x6e20_1c00;
const EXT: u32 = 0x6e00_0000;
const SM3SS1: u32 = 0xce40_0000;
const SM3TT1A: u32 = 0xce40_8000;
const SM3TT1B: u32 = 0xce40_8400;
const SM3TT2A: u32 = 0xce40_8800;
const SM3TT2B: u32 = 0xce40_8c00;
const SM3PARTW1: u32 = 0xce60_c000;
const SM3PARTW2: u32 = 0xce60_c400;
const SM4E: u32 = 0xcec0_8400;
const SM4EKEY: u32 = 0xce60_c800;

/// EXT Vd.16B, Vn.16B, Vm.16B, #bytes.
fn ext(m: &mut Machine, d: u32, n: u32, mm: u32, bytes: u32) {
    m.run(EXT | (bytes << 11), d, n, mm);
}

/// A register with its four words in the opposite order: how a routine
/// turns SM4's final window (X32..X35) into output order (REV64 + EXT).
fn reverse_words(v: u128) -> u128 {
    words32([lane32(v, 3), lane32(v, 2), lane32(v, 1), lane32(v, 0)])
}

/// The 32 SM4 round keys, four per register (v8-v15), from SM4EKEY. The
/// constants CK have byte j of word i equal to (4i + j) * 7 mod 256.
fn sm4_round_keys(m: &mut Machine, key: &[u8]) -> [u128; 8] {
    const FK: [u32; 4] = [0xa3b1_bac6, 0x56aa_3350, 0x677d_9197, 0xb270_22dc];
    m.set(1, be_words32(key));
    m.set(2, words32(FK));
    m.run(EOR_16B, 1, 1, 2);
    let mut prev = 1;
    for k in 0..8u32 {
        let ck = |i: u32| u32::from_be_bytes(std::array::from_fn(|j| ((4 * i + j as u32) * 7) as u8));
        m.set(2, words32(std::array::from_fn(|i| ck(4 * k + i as u32))));
        m.run(SM4EKEY, 8 + k, prev, 2);
        prev = 8 + k;
    }
    std::array::from_fn(|k| m.v(8 + k as u32))
}

/// Encrypts the block in v0 with the round keys in `keys` (eight SM4E).
fn sm4_rounds(m: &mut Machine, keys: &[u128; 8]) {
    for k in keys {
        m.set(1, *k);
        m.run2(SM4E, 0, 1);
    }
    m.set(0, reverse_words(m.v(0)));
}

#[test]
fn sm4_encrypt_and_decrypt_gbt32907_example() {
    let key = hex("0123456789abcdeffedcba9876543210");
    let plaintext = be_words32(&hex("0123456789abcdeffedcba9876543210"));
    let ciphertext = be_words32(&hex("681edf34d206965e86b3e94f536e4246"));
    let mut m = Machine::new();
    let keys = sm4_round_keys(&mut m, &key);
    // The standard lists the round keys; the first and last are these.
    assert_eq!((lane32(keys[0], 0), lane32(keys[7], 3)), (0xf121_86f9, 0x9124_a012));

    m.set(0, plaintext);
    sm4_rounds(&mut m, &keys);
    assert_eq!(m.v(0), ciphertext, "{:#x}", m.v(0));

    // Decryption is the same rounds with the round keys in reverse order.
    let mut reversed = keys;
    reversed.reverse();
    let reversed = reversed.map(reverse_words);
    sm4_rounds(&mut m, &reversed);
    assert_eq!(m.v(0), plaintext, "{:#x}", m.v(0));
}

#[test]
fn sm3_of_abc() {
    const IV: [u32; 8] =
        [0x7380_166f, 0x4914_b2b9, 0x1724_42d7, 0xda8a_0600, 0xa96f_30bc, 0x1631_38aa, 0xe38d_ee4d, 0xb0fb_0e4e];
    let mut m = Machine::new();
    // v0 = (D, C, B, A) and v1 = (H, G, F, E), element 0 first; copies in
    // v24/v25. Message words W[4k..4k+3] in v16 + k % 5.
    m.set(0, words32([IV[3], IV[2], IV[1], IV[0]]));
    m.set(1, words32([IV[7], IV[6], IV[5], IV[4]]));
    m.mov(24, 0);
    m.mov(25, 1);
    let msg = padded_abc_64();
    for k in 0..4 {
        m.set(16 + k, be_words32(&msg[16 * k as usize..]));
    }
    let w = |k: u32| 16 + k % 5;
    for g in 0..16u32 {
        let k = g + 1;
        if k >= 4 {
            // W[j..j+3], j = 4k, from W[j-16..j-1].
            m.mov(w(k), w(k - 4));
            ext(&mut m, 6, w(k - 3), w(k - 2), 12); // W[j-9..j-6]
            m.run(SM3PARTW1, w(k), 6, w(k - 1));
            ext(&mut m, 6, w(k - 2), w(k - 1), 8); // W[j-6..j-3]
            ext(&mut m, 7, w(k - 4), w(k - 3), 12); // W[j-13..j-10]
            m.run(SM3PARTW2, w(k), 6, 7);
        }
        m.run(EOR_16B, 8, w(g), w(g + 1)); // W'[j] = W[j] ^ W[j + 4]
        for i in 0..4u32 {
            let j = 4 * g + i;
            let t: u32 = if j < 16 { 0x79cc_4519 } else { 0x7a87_9d8a };
            m.set(3, words32([0, 0, 0, t.rotate_left(j % 32)]));
            m.run4(SM3SS1, 5, 0, 1, 3);
            let (tt1, tt2) = if j < 16 { (SM3TT1A, SM3TT2A) } else { (SM3TT1B, SM3TT2B) };
            m.run(tt1 | (i << 12), 0, 5, 8);
            m.run(tt2 | (i << 12), 1, 5, w(g));
        }
    }
    m.run(EOR_16B, 0, 0, 24);
    m.run(EOR_16B, 1, 1, 25);
    let digest: Vec<u32> = (0..8).map(|i| lane32(m.v(i / 4), 3 - i as usize % 4)).collect();
    assert_eq!(
        digest,
        [0x66c7_f0f4, 0x62ee_edd9, 0xd1f2_d46b, 0xdc10_e4e2, 0x4167_c487, 0x5cf2_f7a2, 0x297d_a02b, 0x8f4b_a8e0]
    );
}
